/**
 * In-memory twin of the registry store, for unit tests, the evaluation CLI and the benchmarks.
 * Writes copy documents in; reads hand out deep-frozen records, so callers can never mutate stored
 * state (as with the Mongo adapter). Single-threaded JavaScript makes each method atomic.
 */
import { MediatorError } from '../../core/errors';
import type { PatientSearchResult } from '../ports';
import { searchComparator, searchPredicate } from '../search-fields';
import { Groups } from './groups';
import { reviewMatches, reviewOrder } from '../review-filter';
import { createMemoryHistory, createMemoryJournal } from './journal';
import { MemorySearchIndex } from './search-index';
import type {
  NotAMatch,
  RegistryStore,
  SearchFields,
  StoredGolden,
  StoredModel,
  StoredReview,
  StoredSource,
  TokenRecord,
  MergeRecord,
  XrefEntry,
} from '../store';

/** Stored documents are copied once, on write, and deep-frozen: reads hand them out as they are
 * (no copy per read, which dominated loading a large registry), and a caller that tries to mutate
 * one fails loudly in strict mode, as it could never change a Mongo document either. */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const child = o[k];
      if (typeof child === 'string') o[k] = intern(child);
      else deepFreeze(child);
    }
    Object.freeze(v);
  }
  return v;
}
const frozenCopy = <T>(v: T): T => deepFreeze(structuredClone(v));

/**
 * Short strings repeat across records (identifier systems, codes, towns, names, dates): every
 * stored copy would otherwise hold its own, and a 100k-record memory registry is mostly such
 * strings — the garbage collector's marking time grows with them.
 */
const interned = new Map<string, string>();
const INTERN_MAX_LENGTH = 48;
const INTERN_MAX_ENTRIES = 2_000_000;
function intern(s: string): string {
  if (s.length > INTERN_MAX_LENGTH) return s;
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size < INTERN_MAX_ENTRIES) interned.set(s, s);
  return s;
}

function putIfNewer<T extends { version: number }>(map: Map<string, T>, id: string, doc: T): void {
  const cur = map.get(id);
  if (!cur || cur.version < doc.version) {
    map.set(id, frozenCopy(doc));
  }
}

function page<T>(items: T[], offset: number, count: number): { total: number; items: T[] } {
  return { total: items.length, items: items.slice(offset, offset + count) };
}

function searchIn(docs: Array<StoredSource | StoredGolden>, kind: 'golden' | 'source', matches: (f: SearchFields) => boolean): Array<{ kind: 'golden' | 'source'; doc: StoredSource | StoredGolden }> {
  return docs.filter((d) => matches(d.search)).map((doc) => ({ kind, doc }));
}

/** Create an empty in-memory registry store. */
export function createMemoryRegistryStore(): RegistryStore {
  const sources = new Map<string, StoredSource>();
  // FHIR reads address source records by logical id; keep that lookup O(1) as Mongo's index does.
  const sourceKeyById = new Map<string, string>();
  const goldenIndex = new MemorySearchIndex();
  const sourceIndex = new MemorySearchIndex();
  const goldens = new Map<string, StoredGolden>();
  const xref = new Map<string, XrefEntry>();
  // Block key → source keys filed under it.
  const blocks = new Groups();
  const reviews = new Map<string, StoredReview>();
  const constraints = new Map<string, NotAMatch>();
  const tokens = new Map<string, TokenRecord>();
  const merges = new Map<string, MergeRecord>();
  const models = new Map<string, StoredModel>();
  const claims = new Map<string, { owner: string; expiresAt: number }>();
  const { journal, outbox } = createMemoryJournal();
  const history = createMemoryHistory();
  // Secondary indexes (see groups.ts): keep per-record lookups flat as the registry grows.
  const xrefByMpiId = new Groups();
  const sourcesById = new Groups();
  const reviewsBySource = new Groups();
  const constraintsBySource = new Groups();
  const mergesByRetired = new Groups();
  const mergesBySurvivor = new Groups();
  const xk = (s: string, v: string): string => `${s}\u0000${v}`;
  const setXref = (e: XrefEntry): void => {
    const k = xk(e.system, e.value);
    const before = xref.get(k);
    if (before) xrefByMpiId.delete(before.mpiId, k);
    xref.set(k, frozenCopy(e));
    xrefByMpiId.add(e.mpiId, k);
  };

  return {
    sources: {
      get: async (key) => sources.get(key) ?? null,
      getById: async (id) => sources.get(sourceKeyById.get(id) ?? '') ?? null,
      getMany: async (keys) => keys.flatMap((k) => (sources.has(k) ? [sources.get(k) as StoredSource] : [])),
      byIdentifier: async (id, limit) => {
        const pool = id.value === undefined ? [...sources.values()] : sourcesById.pick(id.value, sources);
        const hits = pool.filter((s) =>
          s.search.identifiers.some((i) => (id.system === undefined || i.system === id.system) && (id.value === undefined || i.value === id.value)),
        );
        return hits.sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, limit);
      },
      page: async (afterKey, limit) =>
        [...sources.keys()]
          .filter((k) => afterKey === null || k > afterKey)
          .sort()
          .slice(0, limit)
          .map((k) => sources.get(k) as StoredSource),
      count: async () => sources.size,
      put: async (doc) => {
        putIfNewer(sources, doc.key, doc);
        sourceKeyById.set(doc.id, doc.key);
        // Identifiers only accumulate in the index; byIdentifier re-checks the stored document.
        for (const i of doc.search.identifiers) sourcesById.add(i.value, doc.key);
        sourceIndex.put(doc.key, (sources.get(doc.key) as StoredSource).search);
      },
    },
    goldens: {
      get: async (id) => goldens.get(id) ?? null,
      getMany: async (ids) => ids.flatMap((id) => (goldens.has(id) ? [goldens.get(id) as StoredGolden] : [])),
      put: async (doc) => {
        putIfNewer(goldens, doc.mpiId, doc);
        goldenIndex.put(doc.mpiId, (goldens.get(doc.mpiId) as StoredGolden).search);
      },
    },
    xref: {
      get: async (id) => (xref.get(xk(id.system, id.value)) ?? null),
      byMpiId: async (mpiId) => xrefByMpiId.pick(mpiId, xref).filter((e) => e.mpiId === mpiId),
      put: async (e) => setXref(e),
      insert: async (e) => {
        if (xref.has(xk(e.system, e.value))) {
          throw new MediatorError('conflict', 'identifier already cross-referenced', { system: e.system });
        }
        setXref(e);
      },
      remove: async (e) => {
        const k = xk(e.system, e.value);
        if (xref.get(k)?.mpiId === e.mpiId) {
          xref.delete(k);
          xrefByMpiId.delete(e.mpiId, k);
        }
      },
    },
    blocking: {
      add: async (e) => blocks.add(e.key, e.sourceKey),
      remove: async (e) => blocks.delete(e.key, e.sourceKey),
      lookup: async (key, cap) => blocks.members(key).sort().slice(0, cap + 1),
    },
    reviews: {
      get: async (id) => (reviews.get(id) ?? null),
      put: async (doc) => {
        putIfNewer(reviews, doc.id, doc);
        reviewsBySource.add(doc.sourceKey, doc.id);
      },
      list: async (f) => {
        const items = [...reviews.values()].filter((r) => reviewMatches(r, f)).sort(reviewOrder);
        return page(items, f.offset, f.count);
      },
      bySource: async (sourceKey) => reviewsBySource.pick(sourceKey, reviews).filter((r) => r.sourceKey === sourceKey),
      sourceSystems: async (state) => [...new Set([...reviews.values()].filter((r) => r.state === state).map((r) => r.sourceSystem))].sort(),
    },
    constraints: {
      put: async (doc) => {
        const k = `${doc.sourceKey}\u0000${doc.mpiId}`;
        constraints.set(k, frozenCopy(doc));
        constraintsBySource.add(doc.sourceKey, k);
      },
      forSource: async (sourceKey) => constraintsBySource.pick(sourceKey, constraints),
    },
    history,
    tokens: {
      insert: async (doc) => {
        if (tokens.has(doc.hash)) {
          throw new MediatorError('conflict', 'token exists');
        }
        tokens.set(doc.hash, frozenCopy(doc));
      },
      get: async (hash) => (tokens.get(hash) ?? null),
      revoke: async (hash, at) => {
        const t = tokens.get(hash);
        if (!t) {
          return false;
        }
        tokens.set(hash, frozenCopy({ ...t, revokedAt: t.revokedAt ?? at }));
        return true;
      },
    },
    merges: {
      put: async (doc) => {
        merges.set(doc.id, frozenCopy(doc));
        mergesByRetired.add(doc.retiredId, doc.id);
        mergesBySurvivor.add(doc.survivorId, doc.id);
      },
      get: async (id) => (merges.get(id) ?? null),
      activeFor: async (retiredId) =>
        mergesByRetired.pick(retiredId, merges).filter((m) => m.retiredId === retiredId && !m.undone).sort((a, b) => (a.at < b.at ? 1 : -1))[0] ?? null,
      intoSurvivor: async (survivorId) =>
        mergesBySurvivor.pick(survivorId, merges).filter((m) => m.survivorId === survivorId && !m.undone).sort((a, b) => (a.at < b.at ? 1 : -1)),
    },
    models: {
      put: async (doc) => void models.set(doc.version, frozenCopy(doc)),
      get: async (v) => (models.get(v) ?? null),
      active: async () => [...models.values()].find((m) => m.active) ?? null,
      activate: async (version) => {
        if (!models.has(version)) {
          throw new MediatorError('not-found', 'unknown model version');
        }
        for (const [v, m] of models) models.set(v, frozenCopy({ ...m, active: v === version }));
      },
      list: async () => [...models.values()].map(({ model: _model, ...rest }) => rest),
    },
    journal,
    outbox,
    claims: {
      tryAcquire: async (key, owner, expiresAt, now) => {
        const cur = claims.get(key);
        if (cur && cur.owner !== owner && cur.expiresAt > now.getTime()) {
          return false;
        }
        claims.set(key, { owner, expiresAt: expiresAt.getTime() });
        return true;
      },
      release: async (keys, owner) => {
        for (const k of keys) {
          if (claims.get(k)?.owner === owner) {
            claims.delete(k);
          }
        }
      },
    },
    patients: {
      search: async (q): Promise<PatientSearchResult> => {
        const pick = <T>(map: Map<string, T>, index: MemorySearchIndex): T[] => {
          const ids = index.candidates(q);
          if (!ids) return [...map.values()];
          const docs: T[] = [];
          for (const id of ids) {
            const doc = map.get(id);
            if (doc !== undefined) docs.push(doc);
          }
          return docs;
        };
        const matches = searchPredicate(q);
        const hits = [
          ...(q.kind === 'source' ? [] : searchIn(pick(goldens, goldenIndex), 'golden', matches)),
          ...(q.kind === 'golden' ? [] : searchIn(pick(sources, sourceIndex), 'source', matches)),
        ];
        const cmp = searchComparator(q);
        hits.sort((a, b) => cmp(a.doc.search, b.doc.search));
        return { total: hits.length, items: hits.slice(q.offset, q.offset + q.count).map((h) => ({ kind: h.kind, patient: h.doc.patient })) };
      },
    },
  };
}
