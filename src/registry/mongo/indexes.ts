/**
 * Collection names and indexes of the Mongo registry store. Unique indexes carry the invariants:
 * one document per source key / MPI ID, one MPI ID per identifier (xref `_id` and system+value), one
 * history entry per record version, one journal position per seq, one change per guard.
 * Only features FerretDB 1.24 supports: single-field and compound indexes, unique ones; no TTL,
 * no partial indexes, no unique multikey (FerretDB does not enforce it, hence the guards collection).
 *
 * Hot paths address documents by `_id` alone: FerretDB 1.24 pushes a filter down to SQL only when it
 * is exactly `{_id: <string>}` (SQLite) or plain equalities (PostgreSQL); anything else (`$in`, two
 * fields on SQLite) decodes every document of the collection in FerretDB. Neither backend uses the
 * secondary indexes below for reads, so they matter for MongoDB only; FerretDB scans in SQL.
 */
import type { Db, IndexDescription } from 'mongodb';
import { migrateLegacyLayout } from './keyed';

/** Collection names (prefix configurable so several registries can share a database). */
export function collectionNames(prefix = 'registry_'): Record<'sources' | 'goldens' | 'xref' | 'blocks' | 'reviews' | 'constraints' | 'history' | 'tokens' | 'merges' | 'models' | 'journal' | 'bodies' | 'done' | 'guards' | 'counters' | 'claims', string> {
  const names = ['sources', 'goldens', 'xref', 'blocks', 'reviews', 'constraints', 'history', 'tokens', 'merges', 'models', 'journal', 'bodies', 'done', 'guards', 'counters', 'claims'] as const;
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
  sources: [{ key: { id: 1 }, unique: true }, ...SEARCH],
  goldens: [...SEARCH],
  xref: [{ key: { system: 1, value: 1 }, unique: true }, { key: { mpiId: 1 } }],
  blocks: [],
  reviews: [{ key: { state: 1, createdAt: 1 } }, { key: { sourceKey: 1 } }, { key: { state: 1, sourceSystem: 1, createdAt: 1 } }],
  constraints: [{ key: { sourceKey: 1, mpiId: 1 }, unique: true }],
  history: [{ key: { kind: 1, id: 1, version: 1 }, unique: true }, { key: { at: -1 } }],
  tokens: [{ key: { mpiId: 1 } }],
  merges: [{ key: { retiredId: 1, at: -1 } }, { key: { survivorId: 1, at: -1 } }],
  models: [{ key: { active: 1 } }],
  journal: [{ key: { seq: 1 }, unique: true }, { key: { applied: 1, seq: 1 } }, { key: { published: 1, seq: 1 } }, { key: { unpublished: 1 } }],
  bodies: [],
  done: [{ key: { at: -1 } }],
  guards: [],
  counters: [],
  claims: [],
};

/**
 * Create every index of the registry store and move data of the previous layout (idempotent).
 * @param db - the database
 * @param prefix - collection name prefix
 */
export async function ensureIndexes(db: Db, prefix = 'registry_'): Promise<void> {
  const names = collectionNames(prefix);
  for (const [coll, indexes] of Object.entries(INDEXES) as Array<[keyof typeof names, IndexDescription[]]>) {
    // One index per command: FerretDB 1.24 panics on a multi-index createIndexes when they exist.
    for (const { key, ...options } of indexes) {
      await db.collection(names[coll]).createIndex({ ...(key as Record<string, 1 | -1>) }, options);
    }
  }
  await migrateLegacyLayout(db, names, `${prefix}blocking`);
}
