/**
 * Staged record collections of an atomic unit (see overlay.ts): sources, golden records, review
 * tasks, not-a-match constraints and merges. Writes land in an in-memory twin; reads return the
 * staged version of a record when there is one and the committed one otherwise, and lists merge
 * both, a staged version replacing its committed one.
 */
import { reviewMatches, reviewOrder } from '../review-filter';
import type { MergeRecord, RegistryStore, StoredGolden, StoredSource } from '../store';

type Stores = Pick<RegistryStore, 'sources' | 'goldens' | 'reviews' | 'constraints' | 'merges'>;

const byKey = (a: StoredSource, b: StoredSource): number => (a.key < b.key ? -1 : 1);

function firstOf<T>(staged: T | null, committed: () => Promise<T | null>): Promise<T | null> {
  return staged ? Promise.resolve(staged) : committed();
}

/**
 * Staged sources; `latest` lists the staged versions (for searches).
 * @param base - committed store
 * @param mem - staging twin
 */
export function stagedSources(base: Stores, mem: Stores): { store: RegistryStore['sources']; latest: () => StoredSource[] } {
  const keys = new Set<string>();
  const latest = new Map<string, StoredSource>();
  const store: RegistryStore['sources'] = {
    get: async (key) => firstOf(await mem.sources.get(key), () => base.sources.get(key)),
    getById: async (id) => firstOf(await mem.sources.getById(id), () => base.sources.getById(id)),
    getMany: async (wanted) => {
      const rest = wanted.filter((k) => !keys.has(k));
      return [...(await mem.sources.getMany(wanted)), ...(rest.length > 0 ? await base.sources.getMany(rest) : [])];
    },
    byIdentifier: async (id, limit) => {
      const committed = (await base.sources.byIdentifier(id, limit + keys.size)).filter((s) => !keys.has(s.key));
      return [...committed, ...(await mem.sources.byIdentifier(id, limit))].sort(byKey).slice(0, limit);
    },
    page: async (afterKey, limit) => {
      const committed = (await base.sources.page(afterKey, limit)).filter((s) => !keys.has(s.key));
      return [...committed, ...(await mem.sources.page(afterKey, limit))].sort(byKey).slice(0, limit);
    },
    count: async () => (await base.sources.count()) - (await base.sources.getMany([...keys])).length + keys.size,
    put: async (doc) => {
      keys.add(doc.key);
      await mem.sources.put(doc);
      latest.set(doc.key, (await mem.sources.get(doc.key)) as StoredSource);
    },
  };
  return { store, latest: () => [...latest.values()] };
}

/**
 * Staged golden records; `latest` lists the staged versions (for searches).
 * @param base - committed store
 * @param mem - staging twin
 */
export function stagedGoldens(base: Stores, mem: Stores): { store: RegistryStore['goldens']; latest: () => StoredGolden[] } {
  const latest = new Map<string, StoredGolden>();
  const store: RegistryStore['goldens'] = {
    get: async (id) => firstOf(await mem.goldens.get(id), () => base.goldens.get(id)),
    getMany: async (ids) => {
      const rest = ids.filter((id) => !latest.has(id));
      return [...(await mem.goldens.getMany(ids)), ...(rest.length > 0 ? await base.goldens.getMany(rest) : [])];
    },
    put: async (doc) => {
      await mem.goldens.put(doc);
      latest.set(doc.mpiId, (await mem.goldens.get(doc.mpiId)) as StoredGolden);
    },
  };
  return { store, latest: () => [...latest.values()] };
}

/**
 * Staged review tasks.
 * @param base - committed store
 * @param mem - staging twin
 */
export function stagedReviews(base: Stores, mem: Stores): RegistryStore['reviews'] {
  const ids = new Set<string>();
  return {
    get: async (id) => firstOf(await mem.reviews.get(id), () => base.reviews.get(id)),
    put: async (doc) => {
      ids.add(doc.id);
      await mem.reviews.put(doc);
    },
    list: async (f) => {
      const committed = await base.reviews.list({ ...f, offset: 0, count: f.offset + f.count + ids.size });
      const mine = await mem.reviews.list({ ...f, offset: 0, count: ids.size });
      const items = [...committed.items.filter((r) => !ids.has(r.id)), ...mine.items].sort(reviewOrder);
      // Committed versions of staged tasks that the filter counted: their staged versions replace them.
      const shadowed = (await Promise.all([...ids].map((id) => base.reviews.get(id)))).filter((r) => r && reviewMatches(r, f)).length;
      return { total: committed.total - shadowed + mine.total, items: items.slice(f.offset, f.offset + f.count) };
    },
    bySource: async (key) => [...(await base.reviews.bySource(key)).filter((r) => !ids.has(r.id)), ...(await mem.reviews.bySource(key))],
    sourceSystems: async (state) => {
      // A staged version may have left `state`: count each task by its latest version only.
      const committed = await base.reviews.sourceSystems(state);
      const staged = await Promise.all([...ids].map((id) => mem.reviews.get(id)));
      return [...new Set([...committed, ...staged.filter((r) => r?.state === state).map((r) => r?.sourceSystem as string)])].sort();
    },
  };
}

/**
 * Staged not-a-match constraints and merges.
 * @param base - committed store
 * @param mem - staging twin
 */
export function stagedDecisions(base: Stores, mem: Stores): Pick<RegistryStore, 'constraints' | 'merges'> {
  return {
    constraints: {
      put: (doc) => mem.constraints.put(doc),
      forSource: async (key) => [...(await base.constraints.forSource(key)), ...(await mem.constraints.forSource(key))],
    },
    merges: {
      put: (doc) => mem.merges.put(doc),
      get: async (id) => firstOf(await mem.merges.get(id), () => base.merges.get(id)),
      activeFor: async (retiredId) => {
        const committed = await base.merges.activeFor(retiredId);
        // A staged version of the committed merge may have undone it.
        const current = committed ? ((await mem.merges.get(committed.id)) ?? committed) : null;
        const live = [current, await mem.merges.activeFor(retiredId)].filter((m) => m && !m.undone);
        return live.sort((a, b) => ((a?.at ?? '') < (b?.at ?? '') ? 1 : -1))[0] ?? null;
      },
      intoSurvivor: async (survivorId) => {
        const committed = await Promise.all((await base.merges.intoSurvivor(survivorId)).map(async (m) => (await mem.merges.get(m.id)) ?? m));
        const mine = (await mem.merges.intoSurvivor(survivorId)).filter((m) => !committed.some((c) => c.id === m.id));
        return [...committed, ...mine].filter((m: MergeRecord) => !m.undone).sort((a, b) => (a.at < b.at ? 1 : -1));
      },
    },
  };
}
