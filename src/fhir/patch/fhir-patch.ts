/**
 * FHIR Patch (http://hl7.org/fhir/R4/fhirpatch.html) over a FHIRPath subset: dotted element paths,
 * `[n]` indexes, `first()`, `last()` and `where(element='literal')`. Operations: add, insert,
 * delete, replace, move. Anything outside the subset is rejected with 400, never guessed.
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import { jsonClone } from '../../core/json-clone';

type Obj = Record<string, unknown>;

/** A located element: its container, key and position when repeating. */
interface Node {
  parent: Obj;
  key: string;
  index?: number;
  value: unknown;
}

const REPEATING = new Set(['identifier', 'name', 'telecom', 'address', 'contact', 'communication', 'link', 'generalPractitioner', 'extension', 'modifierExtension', 'given', 'prefix', 'suffix', 'line', 'coding', 'photo', 'qualification']);
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function segments(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of path) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function step(nodes: Node[], seg: string): Node[] {
  const where = /^where\((\w+)\s*=\s*'((?:[^'\\]|\\.)*)'\)$/.exec(seg);
  if (where) return nodes.filter((n) => (n.value as Obj | undefined)?.[where[1] as string] === where[2]);
  if (seg === 'first()') return nodes.slice(0, 1);
  if (seg === 'last()') return nodes.slice(-1);
  const m = /^(\w+)(?:\[(\d+)\])?$/.exec(seg);
  if (!m || FORBIDDEN.has(m[1] as string)) throw new MediatorError('invalid', `Unsupported FHIR Patch path segment "${seg}"`);
  const key = m[1] as string;
  const out: Node[] = [];
  for (const n of nodes) {
    const obj = n.value as Obj;
    const v = typeof obj === 'object' && obj !== null ? obj[key] : undefined;
    if (Array.isArray(v)) v.forEach((value, index) => out.push({ parent: obj, key, index, value }));
    else if (v !== undefined) out.push({ parent: obj, key, value: v });
  }
  return m[2] === undefined ? out : out.slice(Number(m[2]), Number(m[2]) + 1);
}

function evaluate(resource: Obj, path: string): Node[] {
  const [head, ...rest] = segments(path);
  if (head !== resource.resourceType) throw new MediatorError('invalid', `FHIR Patch path must start with ${String(resource.resourceType)}`);
  return rest.reduce<Node[]>((nodes, seg) => step(nodes, seg), [{ parent: {}, key: '', value: resource }]);
}

function one(nodes: Node[], path: string): Node {
  if (nodes.length !== 1) throw new MediatorError('invalid', `FHIR Patch path ${path} must select exactly one element`);
  return nodes[0] as Node;
}

function partsOf(op: ParametersParameter): Record<string, ParametersParameter> {
  return Object.fromEntries((op.part ?? []).map((p) => [p.name, p]));
}

function valueOf(p: ParametersParameter | undefined): unknown {
  if (!p) throw new MediatorError('invalid', 'FHIR Patch operation needs a value');
  const key = Object.keys(p).find((k) => k.startsWith('value'));
  if (!key) throw new MediatorError('invalid', 'FHIR Patch operation needs a value[x]');
  return jsonClone((p as unknown as Obj)[key]);
}

function listAt(resource: Obj, path: string): unknown[] {
  const nodes = evaluate(resource, path);
  const first = nodes[0];
  if (!first || first.index === undefined) throw new MediatorError('invalid', `FHIR Patch path ${path} must select a list`);
  return first.parent[first.key] as unknown[];
}

function applyOp(resource: Obj, op: ParametersParameter): void {
  const p = partsOf(op);
  const type = p.type?.valueCode;
  const path = p.path?.valueString ?? '';
  switch (type) {
    case 'add': {
      const target = one(evaluate(resource, path), path).value as Obj;
      const name = p.name?.valueString ?? '';
      if (!/^\w+$/.test(name) || FORBIDDEN.has(name)) throw new MediatorError('invalid', 'FHIR Patch add needs a valid name');
      const v = valueOf(p.value);
      if (REPEATING.has(name)) target[name] = [...((target[name] as unknown[] | undefined) ?? []), v];
      else target[name] = v;
      return;
    }
    case 'insert': {
      const list = listAt(resource, path);
      const index = p.index?.valueInteger ?? -1;
      if (index < 0 || index > list.length) throw new MediatorError('invalid', 'FHIR Patch insert index out of range');
      list.splice(index, 0, valueOf(p.value));
      return;
    }
    case 'delete':
      for (const n of evaluate(resource, path).reverse()) {
        if (n.index !== undefined) (n.parent[n.key] as unknown[]).splice(n.index, 1);
        else delete n.parent[n.key];
      }
      return;
    case 'replace': {
      const n = one(evaluate(resource, path), path);
      if (n.index !== undefined) (n.parent[n.key] as unknown[])[n.index] = valueOf(p.value);
      else n.parent[n.key] = valueOf(p.value);
      return;
    }
    case 'move': {
      const list = listAt(resource, path);
      const [from, to] = [p.source?.valueInteger ?? -1, p.destination?.valueInteger ?? -1];
      if (from < 0 || from >= list.length || to < 0 || to >= list.length) throw new MediatorError('invalid', 'FHIR Patch move index out of range');
      list.splice(to, 0, ...list.splice(from, 1));
      return;
    }
    case undefined:
    default:
      throw new MediatorError('invalid', 'FHIR Patch operation type must be add, insert, delete, replace or move');
  }
}

/**
 * Apply a FHIR Patch Parameters resource to a copy of `target`.
 * @param target - the resource
 * @param patch - the Parameters body
 */
export function applyFhirPatch<T extends { resourceType: string }>(target: T, patch: Parameters): T {
  const doc = jsonClone(target) as unknown as Obj;
  for (const op of patch.parameter ?? []) {
    if (op.name !== 'operation') throw new MediatorError('invalid', 'FHIR Patch parameters must be named operation');
    applyOp(doc, op);
  }
  for (const [k, v] of Object.entries(doc)) {
    if (Array.isArray(v) && v.length === 0) delete doc[k];
  }
  return doc as unknown as T;
}
