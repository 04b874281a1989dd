/**
 * How the in-memory twin keeps documents: frozen in place when written (the change that wrote them
 * owns them and never touches them again), so reads hand them out as they are — no copy per read,
 * which dominated loading a large registry — and a caller that tries to mutate one fails loudly in
 * strict mode, as it could never change a Mongo document either. Short strings are interned.
 */

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

/**
 * Freeze a document and everything in it, interning its short strings (idempotent).
 * @param v - the document
 */
export function deepFreeze<T>(v: T): T {
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

/**
 * A frozen copy of a document the caller keeps using.
 * @param v - the document
 */
export const frozenCopy = <T>(v: T): T => deepFreeze(structuredClone(v));

/**
 * Keep `doc` unless a version at least as new is stored (idempotent writes).
 * @param map - where documents are kept
 * @param id - its id
 * @param doc - the new version
 * @returns whether it was stored
 */
export function putIfNewer<T extends { version: number }>(map: Map<string, T>, id: string, doc: T): boolean {
  const cur = map.get(id);
  if (cur && cur.version >= doc.version) return false;
  map.set(id, deepFreeze(doc));
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
