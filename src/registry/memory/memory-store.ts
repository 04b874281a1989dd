/**
 * In-memory twin of the registry store, for unit tests and the evaluation CLI. Every read and write
 * copies documents (structuredClone) so callers can never mutate stored state by accident, as the
 * Mongo adapter cannot either. Single-threaded JavaScript makes each method atomic.
 */
import { MediatorError } from '../../core/errors';
import type { OutboxEvent } from '../../core/types';
import type { HistoryEntry, PatientQuery, PatientSearchResult } from '../ports';
import { searchComparator, searchFieldsMatch } from '../search-fields';
import { MemorySearchIndex } from './search-index';
import type {
  BlockingEntry,
  Change,
  NotAMatch,
  RegistryStore,
  StoredGolden,
  StoredModel,
  StoredReview,
  StoredSource,
  TokenRecord,
  MergeRecord,
  XrefEntry,
} from '../store';

const clone = <T>(v: T): T => structuredClone(v);

function putIfNewer<T extends { version: number }>(map: Map<string, T>, id: string, doc: T): void {
  const cur = map.get(id);
  if (!cur || cur.version < doc.version) {
    map.set(id, clone(doc));
  }
}

function page<T>(items: T[], offset: number, count: number): { total: number; items: T[] } {
  return { total: items.length, items: items.slice(offset, offset + count).map(clone) };
}

function searchIn(docs: Array<StoredSource | StoredGolden>, kind: 'golden' | 'source', q: PatientQuery): Array<{ kind: 'golden' | 'source'; doc: StoredSource | StoredGolden }> {
  return docs.filter((d) => searchFieldsMatch(d.search, q)).map((doc) => ({ kind, doc }));
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
  const blocks = new Map<string, Map<string, BlockingEntry>>();
  const reviews = new Map<string, StoredReview>();
  const constraints = new Map<string, NotAMatch>();
  const history = new Map<string, HistoryEntry>();
  const tokens = new Map<string, TokenRecord>();
  const merges = new Map<string, MergeRecord>();
  const models = new Map<string, StoredModel>();
  const journal = new Map<string, Change>();
  const guards = new Set<string>();
  const claims = new Map<string, { owner: string; expiresAt: number }>();
  let seq = 0;
  const xk = (s: string, v: string): string => `${s}\u0000${v}`;

  return {
    sources: {
      get: async (key) => clone(sources.get(key) ?? null),
      getById: async (id) => clone(sources.get(sourceKeyById.get(id) ?? '') ?? null),
      getMany: async (keys) => keys.flatMap((k) => (sources.has(k) ? [clone(sources.get(k) as StoredSource)] : [])),
      byIdentifier: async (id, limit) => {
        const hits = [...sources.values()].filter((s) =>
          s.search.identifiers.some((i) => (id.system === undefined || i.system === id.system) && (id.value === undefined || i.value === id.value)),
        );
        return hits.sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, limit).map(clone);
      },
      page: async (afterKey, limit) =>
        [...sources.keys()]
          .filter((k) => afterKey === null || k > afterKey)
          .sort()
          .slice(0, limit)
          .map((k) => clone(sources.get(k) as StoredSource)),
      count: async () => sources.size,
      put: async (doc) => {
        putIfNewer(sources, doc.key, doc);
        sourceKeyById.set(doc.id, doc.key);
        sourceIndex.put(doc.key, (sources.get(doc.key) as StoredSource).search);
      },
    },
    goldens: {
      get: async (id) => clone(goldens.get(id) ?? null),
      getMany: async (ids) => ids.flatMap((id) => (goldens.has(id) ? [clone(goldens.get(id) as StoredGolden)] : [])),
      put: async (doc) => {
        putIfNewer(goldens, doc.mpiId, doc);
        goldenIndex.put(doc.mpiId, (goldens.get(doc.mpiId) as StoredGolden).search);
      },
    },
    xref: {
      get: async (id) => clone(xref.get(xk(id.system, id.value)) ?? null),
      byMpiId: async (mpiId) => [...xref.values()].filter((e) => e.mpiId === mpiId).map(clone),
      put: async (e) => void xref.set(xk(e.system, e.value), clone(e)),
      insert: async (e) => {
        if (xref.has(xk(e.system, e.value))) {
          throw new MediatorError('conflict', 'identifier already cross-referenced', { system: e.system });
        }
        xref.set(xk(e.system, e.value), clone(e));
      },
      remove: async (e) => {
        if (xref.get(xk(e.system, e.value))?.mpiId === e.mpiId) {
          xref.delete(xk(e.system, e.value));
        }
      },
    },
    blocking: {
      add: async (e) => {
        const block = blocks.get(e.key) ?? new Map<string, BlockingEntry>();
        block.set(e.sourceKey, clone(e));
        blocks.set(e.key, block);
      },
      remove: async (e) => void blocks.get(e.key)?.delete(e.sourceKey),
      lookup: async (key, cap, refineWith) => {
        const entries = [...(blocks.get(key)?.values() ?? [])];
        const kept = refineWith ? entries.filter((e) => e.refine.some((r) => refineWith.includes(r))) : entries;
        return kept.map((e) => e.sourceKey).sort().slice(0, cap + 1);
      },
    },
    reviews: {
      get: async (id) => clone(reviews.get(id) ?? null),
      put: async (doc) => putIfNewer(reviews, doc.id, doc),
      list: async (f) => {
        const items = [...reviews.values()]
          .filter((r) => (!f.state || r.state === f.state) && (!f.sourceSystem || r.sourceSystem === f.sourceSystem) && (!f.olderThan || r.createdAt < f.olderThan))
          .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
        return page(items, f.offset, f.count);
      },
      bySource: async (sourceKey) => [...reviews.values()].filter((r) => r.sourceKey === sourceKey).map(clone),
    },
    constraints: {
      put: async (doc) => void constraints.set(`${doc.sourceKey}\u0000${doc.mpiId}`, clone(doc)),
      forSource: async (sourceKey) => [...constraints.values()].filter((c) => c.sourceKey === sourceKey).map(clone),
    },
    history: {
      append: async (e) => {
        const k = `${e.kind}\u0000${e.id}\u0000${e.version}`;
        if (!history.has(k)) {
          history.set(k, clone(e));
        }
      },
      list: async (kind, id) =>
        [...history.values()].filter((e) => e.kind === kind && e.id === id).sort((a, b) => a.version - b.version).map(clone),
      all: async (o) => {
        const items = [...history.values()]
          .filter((e) => !o.since || e.at >= o.since)
          .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
        return page(items, o.offset, o.count);
      },
    },
    tokens: {
      insert: async (doc) => {
        if (tokens.has(doc.hash)) {
          throw new MediatorError('conflict', 'token exists');
        }
        tokens.set(doc.hash, clone(doc));
      },
      get: async (hash) => clone(tokens.get(hash) ?? null),
      revoke: async (hash, at) => {
        const t = tokens.get(hash);
        if (!t) {
          return false;
        }
        t.revokedAt ??= at;
        return true;
      },
    },
    merges: {
      put: async (doc) => void merges.set(doc.id, clone(doc)),
      get: async (id) => clone(merges.get(id) ?? null),
      activeFor: async (retiredId) =>
        clone([...merges.values()].filter((m) => m.retiredId === retiredId && !m.undone).sort((a, b) => (a.at < b.at ? 1 : -1))[0] ?? null),
    },
    models: {
      put: async (doc) => void models.set(doc.version, clone(doc)),
      get: async (v) => clone(models.get(v) ?? null),
      active: async () => clone([...models.values()].find((m) => m.active) ?? null),
      activate: async (version) => {
        if (!models.has(version)) {
          throw new MediatorError('not-found', 'unknown model version');
        }
        for (const m of models.values()) {
          m.active = m.version === version;
        }
      },
      list: async () => [...models.values()].map(({ model: _model, ...rest }) => clone(rest)),
    },
    journal: {
      append: async (change) => {
        if (change.guards.some((g) => guards.has(g)) || journal.has(change.id)) {
          throw new MediatorError('conflict', 'concurrent change on the same record', { guards: change.guards });
        }
        change.guards.forEach((g) => guards.add(g));
        const stored = { ...clone(change), seq: ++seq };
        journal.set(change.id, stored);
        return clone(stored);
      },
      markApplied: async (id) => {
        const c = journal.get(id);
        if (c) {
          c.applied = true;
        }
      },
      unapplied: async (limit) =>
        [...journal.values()].filter((c) => !c.applied).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)).slice(0, limit).map(clone),
      get: async (id) => clone(journal.get(id) ?? null),
    },
    outbox: {
      pending: async (limit) => {
        const out: OutboxEvent[] = [];
        const ordered = [...journal.values()].filter((c) => c.applied && c.unpublished.length > 0).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
        for (const c of ordered) {
          out.push(...c.events.filter((ev) => c.unpublished.includes(ev.id)).map(clone));
        }
        return out.slice(0, limit);
      },
      markPublished: async (ids) => {
        for (const c of journal.values()) {
          c.unpublished = c.unpublished.filter((id) => !ids.includes(id));
        }
      },
    },
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
          return ids ? [...ids].flatMap((id) => (map.has(id) ? [map.get(id) as T] : [])) : [...map.values()];
        };
        const hits = [
          ...(q.kind === 'source' ? [] : searchIn(pick(goldens, goldenIndex), 'golden', q)),
          ...(q.kind === 'golden' ? [] : searchIn(pick(sources, sourceIndex), 'source', q)),
        ];
        const cmp = searchComparator(q);
        hits.sort((a, b) => cmp(a.doc.search, b.doc.search));
        return { total: hits.length, items: hits.slice(q.offset, q.offset + q.count).map((h) => ({ kind: h.kind, patient: clone(h.doc.patient) })) };
      },
    },
  };
}
