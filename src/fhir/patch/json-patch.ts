/**
 * RFC 6902 JSON Patch over plain JSON (add, remove, replace, move, copy, test) with RFC 6901
 * pointers. Works on a deep copy; any failure throws an `invalid` (or 422-like `precondition`) error.
 */
import { MediatorError } from '../../core/errors';
import { jsonClone } from '../../core/json-clone';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One JSON Patch operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new MediatorError('invalid', `Invalid JSON pointer ${path}`);
  const parts = path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts.some((p) => FORBIDDEN.has(p))) throw new MediatorError('invalid', 'JSON pointer not allowed');
  return parts;
}

function parentOf(doc: Json, parts: string[]): { parent: Json; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(p)] : typeof cur === 'object' && cur !== null ? cur[p] : undefined;
    if (next === undefined) throw new MediatorError('invalid', 'JSON Patch path does not exist');
    cur = next;
  }
  return { parent: cur, key: parts[parts.length - 1] ?? '' };
}

function get(doc: Json, parts: string[]): Json {
  if (parts.length === 0) return doc;
  const { parent, key } = parentOf(doc, parts);
  const v = Array.isArray(parent) ? parent[Number(key)] : typeof parent === 'object' && parent !== null ? parent[key] : undefined;
  if (v === undefined) throw new MediatorError('invalid', 'JSON Patch path does not exist');
  return v;
}

function arrayIndex(arr: Json[], key: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forAdd && i === arr.length)) throw new MediatorError('invalid', 'JSON Patch array index out of range');
  return i;
}

function add(doc: Json, parts: string[], value: Json): Json {
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else if (typeof parent === 'object' && parent !== null) parent[key] = value;
  else throw new MediatorError('invalid', 'JSON Patch target is not a container');
  return doc;
}

function remove(doc: Json, parts: string[]): Json {
  get(doc, parts);
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else if (typeof parent === 'object' && parent !== null) delete parent[key];
  return doc;
}

function applyOne(doc: Json, op: JsonPatchOp): Json {
  const parts = pointer(op.path);
  const value = jsonClone(op.value) as Json;
  switch (op.op) {
    case 'add':
      return add(doc, parts, value);
    case 'remove':
      return remove(doc, parts);
    case 'replace':
      return add(remove(doc, parts), parts, value);
    case 'move': {
      const v = get(doc, pointer(op.from ?? ''));
      return add(remove(doc, pointer(op.from ?? '')), parts, v);
    }
    case 'copy':
      return add(doc, parts, jsonClone(get(doc, pointer(op.from ?? ''))));
    case 'test':
      if (JSON.stringify(get(doc, parts)) !== JSON.stringify(value)) throw new MediatorError('precondition-failed', 'JSON Patch test failed');
      return doc;
    default:
      throw new MediatorError('invalid', 'Unknown JSON Patch operation');
  }
}

/**
 * Apply a JSON Patch document to a copy of `target`.
 * @param target - the JSON document
 * @param ops - the patch (an array of operations)
 */
export function applyJsonPatch<T>(target: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw new MediatorError('invalid', 'A JSON Patch body must be an array of operations');
  let doc = jsonClone(target) as unknown as Json;
  for (const op of ops as JsonPatchOp[]) {
    if (typeof op !== 'object' || op === null || typeof op.path !== 'string') throw new MediatorError('invalid', 'Invalid JSON Patch operation');
    doc = applyOne(doc, op);
  }
  return doc as unknown as T;
}
