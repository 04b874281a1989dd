/**
 * Realistic synthetic people for benchmarks: names drawn from West/East African and francophone
 * lists, birth dates spread over 90 years, random phone numbers and national IDs, all from a seeded
 * mulberry32 PRNG (never Math.random: a weak generator repeats records and inflates blocks).
 * Sequential numbers would make neighbours look alike and are avoided on purpose.
 */
import type { Patient } from 'fhir/r4';
import { mulberry32 } from '../../src/registry/matching';
import { digits, pick } from '../../test/helpers/fakes/people';

const GIVEN = [
  'Aminata', 'Moussa', 'Fatou', 'Ibrahima', 'Awa', 'Cheikh', 'Khadija', 'Mamadou', 'Ndeye', 'Ousmane', 'Mariama', 'Abdoulaye',
  'Aissatou', 'Babacar', 'Coumba', 'Demba', 'Astou', 'Lamine', 'Rokhaya', 'Modou', 'Bineta', 'Seydou', 'Adama', 'Kadiatou',
  'John', 'Mary', 'Joseph', 'Grace', 'Peter', 'Esther', 'Samuel', 'Ruth', 'David', 'Sarah', 'Daniel', 'Agnes',
  'Wanjiru', 'Kamau', 'Akinyi', 'Otieno', 'Nakato', 'Mukasa', 'Achieng', 'Kiprono', 'Amina', 'Juma', 'Halima', 'Baraka',
  'Chinedu', 'Ngozi', 'Emeka', 'Adaeze', 'Kwame', 'Akosua', 'Kofi', 'Abena', 'Thabo', 'Lerato', 'Sipho', 'Nomsa',
];
const FAMILY = [
  'Diallo', 'Ndiaye', 'Sow', 'Fall', 'Gueye', 'Ba', 'Sy', 'Faye', 'Diop', 'Cisse', 'Mbaye', 'Sarr', 'Kane', 'Thiam', 'Seck',
  'Toure', 'Camara', 'Traore', 'Keita', 'Coulibaly', 'Kone', 'Sissoko', 'Dembele', 'Barry', 'Bah', 'Balde', 'Sane', 'Mendy',
  'Kariuki', 'Mwangi', 'Otieno', 'Ochieng', 'Wanjiku', 'Njoroge', 'Kimani', 'Mutua', 'Nakamya', 'Ssempala', 'Okello', 'Mugisha',
  'Okafor', 'Adeyemi', 'Mensah', 'Owusu', 'Boateng', 'Asante', 'Nkosi', 'Dlamini', 'Mokoena', 'Khumalo', 'Banda', 'Phiri',
  'Mwale', 'Tembo', 'Moyo', 'Ncube', 'Hassan', 'Abdi', 'Mohamed', 'Ali', 'Omar', 'Yusuf', 'Tesfaye', 'Bekele', 'Haile',
  'Girma', 'Uwimana', 'Habimana', 'Niyonzima', 'Mukamana', 'Ndayishimiye', 'Hakizimana', 'Nsengiyumva', 'Rakoto', 'Randria',
];
const CITIES = ['Dakar', 'Thies', 'Kaolack', 'Ziguinchor', 'Saint-Louis', 'Touba', 'Mbour', 'Kolda', 'Tambacounda', 'Louga'];

export const NATIONAL_ID_SYSTEM = 'urn:oid:1.2.250.1.1';
export const BENCH_SOURCE_SYSTEM = 'urn:passerelle:bench:source';

/**
 * The i-th synthetic person as a FHIR Patient (deterministic for a given i and seed).
 * @param i - sequence number
 * @param seed - generator seed (recorded with every benchmark result)
 */
export function syntheticPatient(i: number, seed = 1): Patient {
  const rand = mulberry32((seed * 1_000_003 + i) >>> 0);
  const birth = new Date(Date.UTC(1930, 0, 1) + Math.floor(rand() * 90 * 365.25) * 86_400_000).toISOString().slice(0, 10);
  return {
    resourceType: 'Patient',
    identifier: [
      { system: BENCH_SOURCE_SYSTEM, value: `R${i}`, use: 'usual' },
      { system: NATIONAL_ID_SYSTEM, value: digits(13, rand), type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] } },
    ],
    name: [{ family: pick(FAMILY, rand), given: [pick(GIVEN, rand)] }],
    gender: rand() < 0.5 ? 'female' : 'male',
    birthDate: birth,
    telecom: [{ system: 'phone', value: `+22177${digits(7, rand)}` }],
    address: [{ city: pick(CITIES, rand), country: 'SN' }],
  };
}
