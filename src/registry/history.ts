/**
 * History: every version of source and golden records with the Patient fields that changed, read
 * back for `_history` (instance and type level). Each change keeps the versions it wrote (its
 * history records); the change log answers by record.
 */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { HistoryEntry } from './api';
import type { RegistryContext } from './context';
import type { Change, HistoryRecord } from './store';

const IGNORED = new Set(['meta', 'id', 'resourceType', 'text']);

/**
 * Every operation a history entry can name: the operations of the registry's recorded changes
 * (runChange; a registration starts as `register` and records `create` or `update`). A change
 * folding several steps (a transaction, a bulk page) keeps each step's own operation in history,
 * so folded names never appear. The steward page labels each of these.
 */
export const HISTORY_OPERATIONS = [
  'register', 'create', 'update', 'link', 'unlink', 'deactivate', 'add-identifier', 'patch', 'relink', 'merge', 'unmerge',
  'review-link', 'review-merge', 'review-not-a-match',
] as const;
export type HistoryOperation = (typeof HISTORY_OPERATIONS)[number];

/**
 * Top-level Patient fields whose JSON differs between two versions (sorted).
 * @param before - previous version (undefined for a creation: every present field counts)
 * @param after - new version
 */
export function changedFields(before: Patient | undefined, after: Patient): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const a = (before ?? {}) as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  return [...keys].filter((k) => !IGNORED.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/**
 * Instance history of a source (by key or logical id) or golden record (by MPI ID), oldest first.
 * @param ctx - registry context
 * @param kind - source or golden
 * @param id - source key or id, or MPI ID
 */
export async function readHistory(ctx: RegistryContext, kind: 'source' | 'golden', id: string): Promise<HistoryEntry[]> {
  if (kind === 'golden') {
    const mpiId = ctx.mpiIds.validate(id);
    const entries = await ctx.store.changes.history('golden', mpiId);
    if (entries.length === 0) {
      throw new MediatorError('not-found', 'unknown MPI ID');
    }
    return entries;
  }
  const src = (await ctx.store.records.sourceById(id)) ?? (await ctx.store.records.source(id));
  if (!src) {
    throw new MediatorError('not-found', 'unknown source record');
  }
  return ctx.store.changes.history('source', src.id);
}

/**
 * A history entry of the API from a change and one of its history records.
 * @param c - the change
 * @param h - one version it wrote
 */
export function historyEntryOf(c: Pick<Change, 'at' | 'operation' | 'actor'>, h: HistoryRecord): HistoryEntry {
  return {
    kind: h.kind, id: h.id, version: h.version, at: c.at, operation: h.operation ?? c.operation, changedFields: h.changedFields, actor: c.actor, patient: h.patient,
    ...(h.status ? { status: h.status } : {}), ...(h.deleted ? { deleted: true } : {}),
  };
}

