/**
 * How the in-memory twin keeps documents: frozen in place when written (the change that wrote them
 * owns them and never touches them again), so reads hand them out as they are — no copy per read —
 * and a caller that tries to change one fails loudly in strict mode, as it could never change a
 * Mongo document either. Readers that change a record work on a copy whose parts they replace (the
 * change builder does). Frozen deep by default; `top` is for measuring the registry's own CPU.
 */
import { jsonClone } from '../../core/json-clone';

/** How deep the twin freezes what it stores. */
export type FreezeDepth = 'deep' | 'top';

/**
 * Freeze a document and everything in it (parts already frozen are shared and skipped).
 * @param v - the document
 */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const child of Object.values(v as object)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/**
 * Freeze a document at the top level only (for CPU measurements of the registry itself).
 * @param v - the document
 */
export function topFreeze<T>(v: T): T {
  return Object.isFrozen(v) ? v : Object.freeze(v);
}

/**
 * The freezer of a depth.
 * @param depth - deep (default: catches any change in place) or top
 */
export function freezer(depth: FreezeDepth = 'deep'): <T>(v: T) => T {
  return depth === 'top' ? topFreeze : deepFreeze;
}

/**
 * A frozen copy of a document the caller keeps using.
 * @param v - the document
 */
export const frozenCopy = <T>(v: T): T => deepFreeze(jsonClone(v));

/**
 * Keep `doc` unless a version at least as new is stored (idempotent writes).
 * @param map - where documents are kept
 * @param id - its id
 * @param doc - the new version
 * @param freeze - how to freeze it
 * @returns whether it was stored
 */
export function putIfNewer<T extends { version: number }>(map: Map<string, T>, id: string, doc: T, freeze: <D>(v: D) => D = deepFreeze): boolean {
  const cur = map.get(id);
  if (cur && cur.version >= doc.version) return false;
  map.set(id, freeze(doc));
  return true;
}

/**
 * One page of a list, with its total.
 * @param items - the whole list, in order
 * @param offset - first item
 * @param count - page size
 */
export function page<T>(items: T[], offset: number, count: number): { total: number; items: T[] } {
  return { total: items.length, items: items.slice(offset, offset + count) };
}
