/**
 * A seeded random mix of every identity operation through the registry service port — registrations
 * of look-alike people (links, reviews), updates, deactivations, manual links and unlinks, merges
 * and unmerges, review decisions, identifier additions, steward edits and transaction units — for
 * tests that check the events those operations emit against the state they leave.
 */
import type { Patient } from 'fhir/r4';
import { isMediatorError } from '../../src/core/errors';
import type { Actor } from '../../src/core/types';
import type { RegistryService } from '../../src/registry/api';
import { mulberry32 } from '../../src/registry/matching/prng';

const FAMILIES = ['Diop', 'Ndiaye', 'Sow'];
const GIVEN = ['Awa', 'Fatou', 'Moussa'];
const DATES = ['1990-05-12', '1985-01-30'];
const actor: Actor = { clientId: 'workload', userId: 'steward' };

/** What the workload did, by operation (refusals such as a merge of a merged record included). */
export type WorkloadTally = Record<string, { ok: number; refused: number }>;

interface State {
  rand: () => number;
  keys: string[];
  mpiIds: Set<string>;
  next: number;
}

function pick<T>(s: State, items: readonly T[]): T {
  return items[Math.floor(s.rand() * items.length)] as T;
}

function person(s: State, system: string, value: string): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system, value }],
    name: [{ family: pick(s, FAMILIES), given: [pick(s, GIVEN)] }],
    birthDate: pick(s, DATES),
    gender: 'female',
    ...(s.rand() < 0.3 ? { telecom: [{ system: 'phone' as const, value: `+22177${String(Math.floor(s.rand() * 1e7)).padStart(7, '0')}` }] } : {}),
  };
}

async function register(registry: RegistryService, s: State): Promise<void> {
  const key = `${(s.next += 1)}`;
  const r = await registry.registerSource({ patient: person(s, 'urn:workload', key), sourceSystem: pick(s, ['dhis2', 'openmrs']), actor });
  s.keys.push(`urn:workload|${key}`);
  s.mpiIds.add(r.golden.mpiId);
}

async function anyMpiId(registry: RegistryService, s: State): Promise<string> {
  const src = await registry.getSource(pick(s, s.keys));
  return src?.goldenId ?? pick(s, [...s.mpiIds]);
}

const OPERATIONS: Record<string, (registry: RegistryService, s: State) => Promise<unknown>> = {
  register,
  update: async (r, s) => {
    const key = pick(s, s.keys);
    return r.registerSource({ patient: person(s, 'urn:workload', key.split('|')[1] as string), sourceSystem: 'dhis2', actor });
  },
  deactivate: (r, s) => r.deactivateSource(pick(s, s.keys), actor),
  link: async (r, s) => r.link(pick(s, s.keys), await anyMpiId(r, s), actor, 'workload'),
  unlink: (r, s) => r.unlink(pick(s, s.keys), actor, 'workload'),
  merge: async (r, s) => r.merge(await anyMpiId(r, s), await anyMpiId(r, s), actor, 'workload'),
  unmerge: (r, s) => r.unmerge(pick(s, [...s.mpiIds]), actor),
  review: async (r, s) => {
    const open = (await r.listReviews({ state: 'open', offset: 0, count: 20 })).items;
    const task = open[0];
    if (!task) return null;
    const action = pick(s, ['link', 'merge', 'not-a-match'] as const);
    return r.resolveReview(task.id, { action, ...(action === 'not-a-match' ? {} : { mpiId: task.candidates[0]?.mpiId ?? '' }) }, actor);
  },
  addIdentifier: async (r, s) => r.addIdentifier(await anyMpiId(r, s), { system: 'urn:card', value: `C${(s.next += 1)}` }, actor),
  patch: async (r, s) => r.patchGolden(await anyMpiId(r, s), { gender: pick(s, ['male', 'female'] as const) }, actor),
  transaction: (r, s) => r.atomically(actor, async (tx) => {
    await register(tx, s);
    await register(tx, s);
  }),
};

/**
 * Run `steps` random operations (the first few are registrations).
 * @param registry - the registry service
 * @param seed - PRNG seed (the run is reproducible)
 * @param steps - how many operations
 */
export async function runIdentityWorkload(registry: RegistryService, seed: number, steps: number): Promise<WorkloadTally> {
  const s: State = { rand: mulberry32(seed), keys: [], mpiIds: new Set(), next: 0 };
  const tally: WorkloadTally = {};
  const names = Object.keys(OPERATIONS);
  for (let i = 0; i < steps; i++) {
    const name = i < 6 ? 'register' : pick(s, names);
    const t = (tally[name] ??= { ok: 0, refused: 0 });
    try {
      await (OPERATIONS[name] as (r: RegistryService, st: State) => Promise<unknown>)(registry, s);
      t.ok += 1;
    } catch (err) {
      // Refusals the API reports to callers (merging a merged record, unmerging what was not merged…).
      if (!isMediatorError(err) || err.code === 'internal') throw err;
      t.refused += 1;
    }
  }
  return tally;
}
