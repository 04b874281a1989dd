/**
 * Builders for registry service tests: a service over a given store with the fake engine.
 */
import type { Actor } from '../../../src/core/types';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { createRegistryService } from '../../../src/registry/service';
import type { InternalRegistryService } from '../../../src/registry/service';
import type { RegistryConfig } from '../../../src/registry/context';
import type { RegistryStore } from '../../../src/registry/store';
import { fakeEngine, fakeModel } from './fake-engine';

export const actor: Actor = { clientId: 'test-client', userId: 'steward' };

/** A service over `store` (memory by default) with the fake engine. */
export function makeService(store: RegistryStore = createMemoryRegistryStore(), config: Partial<RegistryConfig> = {}): { service: InternalRegistryService; store: RegistryStore } {
  const service = createRegistryService({ store, engine: fakeEngine, defaultModel: fakeModel(), config: { instance: 'test', ...config } });
  return { service, store };
}

/** Count pending outbox events by topic. */
export async function eventsByTopic(store: RegistryStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const e of await store.outbox.pending(100000)) {
    (out[e.topic] ??= []).push(e.type);
  }
  return out;
}

/** Everything an identity operation may change, without versions and timestamps. */
export async function identityState(store: RegistryStore, mpiIds: string[], sourceKeys: string[]): Promise<unknown> {
  const goldens = await store.records.goldens(mpiIds);
  const sources = await store.records.sources(sourceKeys);
  const strip = (p: { meta?: unknown }): unknown => ({ ...p, meta: undefined });
  return {
    goldens: goldens.map((g) => ({ mpiId: g.mpiId, status: g.status, sourceKeys: g.sourceKeys, mergedInto: g.mergedInto, patient: strip(g.patient), extra: g.extraIdentifiers, steward: g.stewardPatch })),
    sources: sources.map((s) => ({ key: s.key, goldenId: s.goldenId, linkState: s.linkState, linkScore: s.linkScore, patient: strip(s.patient) })),
    xref: await Promise.all(mpiIds.map(async (m) => (await store.records.xref(goldens.find((g) => g.mpiId === m)?.xrefKeys ?? [])).filter((e) => e.mpiId === m).map((e) => e.key).sort())),
  };
}

