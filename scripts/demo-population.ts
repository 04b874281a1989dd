/**
 * Who the demo's upstream systems hold, out of `people` generated people: DHIS2 the first 60 %,
 * OpenMRS from 40 % to 90 % (so a fifth of everyone is in both, written by different clerks), iHRIS
 * health workers from 85 % to 95 % (some of them OpenMRS patients too).
 * @param people - population size
 */
export function demoPopulation(people: number): { dhis2: { from: number; to: number }; openmrs: { from: number; to: number }; ihris: { from: number; to: number }; shared: number } {
  const at = (f: number): number => Math.round(people * f);
  return { dhis2: { from: 0, to: at(0.6) }, openmrs: { from: at(0.4), to: at(0.9) }, ihris: { from: at(0.85), to: at(0.95) }, shared: at(0.5) };
}
