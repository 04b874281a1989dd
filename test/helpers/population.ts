/**
 * A generated population for registry fault tests: synthetic people, every fourth record a second
 * system's record of an earlier person (same national ID, other own identifier), in a fixed order.
 */
import type { Patient } from 'fhir/r4';
import { syntheticPatient } from '../../bench/lib/synthetic';
import type { RegisterSourceInput } from '../../src/registry/api';
import type { RegistryService } from '../../src/registry/api';

const actor = { clientId: 'population' };

/** The i-th record of a population of `n` (deterministic). */
export function populationRecord(i: number, seed: number): Patient {
  if (i % 4 !== 3) return syntheticPatient(i, seed);
  const original = syntheticPatient(i - 3, seed);
  return { ...original, identifier: [{ system: 'urn:passerelle:test:second-system', value: `S${i}` }, ...(original.identifier ?? []).slice(1)] };
}

/** The population's registrations, in pages. */
export function populationPages(n: number, seed: number, pageSize: number): RegisterSourceInput[][] {
  const pages: RegisterSourceInput[][] = [];
  for (let at = 0; at < n; at += pageSize) {
    pages.push(Array.from({ length: Math.min(pageSize, n - at) }, (_, j) => ({ patient: populationRecord(at + j, seed), sourceSystem: 'population', actor })));
  }
  return pages;
}

/**
 * The golden records as sets of source keys (order-free), for comparing two registries.
 * @param registry - a registry service
 * @param keys - every source key registered
 */
export async function partitionOf(registry: RegistryService, keys: string[]): Promise<string[]> {
  const byGolden = new Map<string, string[]>();
  for (const s of await registry.getSources(keys)) byGolden.set(s.goldenId ?? `none:${s.key}`, [...(byGolden.get(s.goldenId ?? `none:${s.key}`) ?? []), s.key]);
  return [...byGolden.values()].map((k) => k.sort().join(' ')).sort();
}

/** Every source key of a population. */
export function populationKeys(n: number, seed: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const id = populationRecord(i, seed).identifier?.[0];
    return `${id?.system ?? ''}|${id?.value ?? ''}`;
  });
}
