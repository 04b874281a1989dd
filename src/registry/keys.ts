/**
 * Every string key the registry builds, each by one named function: identifier keys (`system|value`),
 * the lookup keys records are filed under, the leases a change holds and the version guards it takes.
 * Call sites never build these strings inline, so two operations on one record always name it alike.
 */
import type { IdentifierRef } from '../core/types';
import { identifierKey } from '../core/types';

export { identifierKey };

/**
 * The identifier of a `system|value` key (the value may itself contain `|`).
 * @param key - an identifier key
 */
export function parseIdentifierKey(key: string): IdentifierRef {
  const i = key.indexOf('|');
  return { system: key.slice(0, i), value: key.slice(i + 1) };
}

/**
 * Lookup keys: a source record is filed under its blocking keys (`b:`) and identifiers (`i:`); a
 * cross-reference entry under `x:` and its identifier. One multikey index over them answers "every
 * candidate and every holder of these identifiers" in one query.
 */
export const lookupKey = {
  /** A blocking key of the matcher (already a string such as `fam:DIOP|1990`). */
  blocking: (key: string): string => `b:${key}`,
  /** A source record carrying this identifier (`system|value`). */
  identifier: (key: string): string => `i:${key}`,
  /** The cross-reference entry of this identifier (which golden record holds it). */
  xref: (key: string): string => `x:${key}`,
};

/** Store id of the cross-reference entry of an identifier (records collection). */
export function xrefDocId(key: string): string {
  return lookupKey.xref(key);
}

/**
 * Leases: an identity change holds these from commit to finish, so no other change on the same
 * records, identifiers or blocking keys commits meanwhile. MPI IDs are canonical (upper-case,
 * validated by the MPI ID codec) before they get here.
 */
export const leaseKey = {
  source: (sourceKey: string): string => `s:${sourceKey}`,
  golden: (mpiId: string): string => `g:${mpiId}`,
  identifier: (key: string): string => `i:${key}`,
  blocking: (key: string): string => `b:${key}`,
  review: (taskId: string): string => `r:${taskId}`,
};

/**
 * Version guards: a change that writes version `v` of a record takes `kind|id|v`; a unique index
 * makes two changes computed from the same prior version impossible to commit both.
 */
export const guardKey = {
  source: (sourceKey: string, version: number): string => `s|${sourceKey}|${version}`,
  golden: (mpiId: string, version: number): string => `g|${mpiId}|${version}`,
  review: (taskId: string, version: number): string => `r|${taskId}|${version}`,
  merge: (mergeId: string, version: number): string => `m|${mergeId}|${version}`,
};

/** Reference of a record's history: `source|<logical id>` or `golden|<MPI ID>`. */
export function historyRef(kind: 'source' | 'golden', id: string): string {
  return `${kind}|${id}`;
}
