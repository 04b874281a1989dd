/**
 * Collection names and indexes of the Mongo registry store. Unique indexes carry the invariants:
 * one document per source key / MPI ID / identifier (`_id` of the records collection), one source per
 * logical id, one holder per lease key among changes in flight, one change per record version
 * (guards). Unique indexes sit only on fields a document never changes (leases live in their own
 * documents, deleted when released): see change-log.ts on the local stand-in.
 */
import type { Db, IndexDescription } from 'mongodb';

/** Collection names (prefix configurable so several registries can share a database). */
export function collectionNames(prefix = 'registry_'): Record<'records' | 'changes' | 'reviews' | 'merges' | 'tokens' | 'models', string> {
  const names = ['records', 'changes', 'reviews', 'merges', 'tokens', 'models'] as const;
  return Object.fromEntries(names.map((n) => [n, `${prefix}${n}`])) as ReturnType<typeof collectionNames>;
}

const SEARCH: IndexDescription[] = [
  { key: { 'search.family': 1 } },
  { key: { 'search.given': 1 } },
  { key: { 'search.names': 1 } },
  { key: { 'search.birthDate': 1 } },
  { key: { 'search.telecom': 1 } },
  { key: { 'search.idKeys': 1 } },
  { key: { 'search.idValues': 1 } },
  { key: { 'search.idSystems': 1 } },
  { key: { 'search.lastUpdated': -1 } },
  { key: { 'search.id': 1 } },
];

const INDEXES: Record<keyof ReturnType<typeof collectionNames>, IndexDescription[]> = {
  records: [{ key: { keys: 1 } }, { key: { id: 1 }, unique: true, sparse: true }, { key: { k: 1, _id: 1 } }, ...SEARCH],
  changes: [
    { key: { leases: 1 }, unique: true, sparse: true },
    { key: { guards: 1 }, unique: true, sparse: true },
    { key: { t: 1, at: 1 } },
    { key: { pending: 1, seq: 1, part: 1 }, sparse: true },
    { key: { 'history.ref': 1, seq: 1 } },
    { key: { t: 1, seq: -1 } },
  ],
  reviews: [{ key: { state: 1, createdAt: 1 } }, { key: { sourceKey: 1 } }, { key: { state: 1, sourceSystem: 1, createdAt: 1 } }],
  merges: [{ key: { retiredId: 1, at: -1 } }, { key: { survivorId: 1, at: -1 } }],
  tokens: [{ key: { mpiId: 1 } }],
  models: [{ key: { active: 1 } }],
};

/**
 * Create every index of the registry store (idempotent).
 * @param db - the database
 * @param prefix - collection name prefix
 */
export async function ensureIndexes(db: Db, prefix = 'registry_'): Promise<void> {
  const names = collectionNames(prefix);
  await Promise.all(Object.entries(INDEXES).map(([coll, indexes]) => db.collection(names[coll as keyof typeof names]).createIndexes(indexes)));
}
