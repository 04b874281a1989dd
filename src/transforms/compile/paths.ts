/**
 * Paths (`a.b[c = 1].d`), filters and order-by, compiled from the interpreter's evaluatePath,
 * evaluateStep, evaluateFilter and evaluateSortExpression: each step maps over the sequence the
 * previous one produced, results are flattened one level (an array built by a path constructor
 * excepted), and a path over nothing stops at once. Tuple steps (`@`, `#`), parent `%` and
 * group-by are outside the subset.
 */
import { Unsupported } from './ast';
import type { AstNode, Compiler } from './ast';
import { raise } from './errors';
import type { Evaluator, Frame } from './scope';
import { emptySequence, finisher, isArrayOfNumbers, isNumeric, isSequence, sequenceOf, toBoolean } from './values';
import type { Sequence } from './values';

/** A filter `[…]` applied to a value (one stage of a step or a predicate of a node). */
export type Filter = (input: unknown, env: Frame) => unknown;

/**
 * Compile a predicate: a number picks an index (negative from the end), anything else keeps the
 * items for which it is true, or whose index is among the numbers it gives.
 * @param predicate - the expression between the brackets
 * @param c - the compiler
 */
export function compileFilter(predicate: AstNode, c: Compiler): Filter {
  if (predicate.type === 'number') {
    const at = Math.floor(predicate.value as number);
    return (input) => {
      const items = Array.isArray(input) ? input : sequenceOf(input);
      const item: unknown = items[at < 0 ? items.length + at : at];
      if (item === undefined) return emptySequence();
      return Array.isArray(item) ? item : sequenceOf(item);
    };
  }
  const test = c.compile(predicate);
  return (input, env) => {
    const results = emptySequence();
    const items = Array.isArray(input) ? input : sequenceOf(input);
    for (let index = 0; index < items.length; index++) {
      const item: unknown = items[index];
      let res = test(item, env);
      if (isNumeric(res)) res = [res];
      if (isArrayOfNumbers(res)) {
        for (const n of res as number[]) {
          const ii = Math.floor(n);
          if ((ii < 0 ? items.length + ii : ii) === index) results.push(item);
        }
      } else if (toBoolean(res)) results.push(item);
    }
    return results;
  };
}

function compileStages(step: AstNode, c: Compiler): Filter[] {
  return (step.stages ?? []).map((stage) => {
    if (stage.type !== 'filter') throw new Unsupported(`the ${stage.type} stage of a path step`, step.position);
    return compileFilter(stage.expr, c);
  });
}

/** Flatten one level, as evaluateStep does: arrays built by a path constructor stay whole. */
function flattenStep(result: Sequence, lastStep: boolean): unknown {
  if (lastStep && result.length === 1 && Array.isArray(result[0]) && !isSequence(result[0])) return result[0];
  const out = emptySequence();
  for (const res of result) {
    if (!Array.isArray(res) || (res as Sequence).cons) out.push(res);
    else res.forEach((v) => out.push(v));
  }
  return out;
}

/** One step over every item of the input sequence (evaluateStep). */
function compileStep(step: AstNode, lastStep: boolean, c: Compiler): Evaluator {
  if (step.type === 'sort') return compileSortStep(step, c);
  const evaluate = c.compile(step);
  const stages = compileStages(step, c);
  return (input, env) => {
    const items = input as Sequence;
    const result = emptySequence();
    for (let i = 0; i < items.length; i++) {
      let res = evaluate(items[i], env);
      for (const stage of stages) res = stage(res, env);
      if (res !== undefined) result.push(res);
    }
    return flattenStep(result, lastStep);
  };
}

/**
 * Compile a path node (evaluatePath): a first step that is a variable starts from the context as
 * one item, any other first step maps over an array context.
 * @param node - the path
 * @param c - the compiler
 * @param unwrap - unwrap the result here (jsonata never leaves predicates on a path node itself)
 */
export function compilePath(node: AstNode, c: Compiler, unwrap: boolean): Evaluator {
  const finish = finisher(unwrap);
  const nodes = node.steps ?? [];
  for (const flag of ['keepSingletonArray', 'group', 'tuple', 'seekingParent']) {
    if (node[flag] !== undefined) throw new Unsupported(`a path with ${flag}`, node.position);
  }
  const first = nodes[0];
  if (!first) throw new Unsupported('an empty path', node.position);
  const startsWithVariable = first.type === 'variable';
  // A path that starts with a constructor evaluates it once over the whole context.
  const constructsFirst = first.consarray === true;
  const steps = nodes.map((s, i) => (i === 0 && constructsFirst ? c.compile(s) : compileStep(s, i === nodes.length - 1, c)));
  return (input, env) => {
    let sequence: unknown = Array.isArray(input) && !startsWithVariable ? input : sequenceOf(input);
    let result: unknown;
    for (const step of steps) {
      result = step(sequence, env);
      if (result === undefined || (result as { length?: unknown }).length === 0) break;
      sequence = result;
    }
    return finish(result);
  };
}

/** Compare two sort keys (the interpreter's order-by comparator); 1 means "swap". */
function compareKeys(aa: unknown, bb: unknown, descending: boolean, position: number | undefined): number {
  if (aa === undefined) return bb === undefined ? 0 : 1;
  if (bb === undefined) return -1;
  const atype = typeof aa;
  const btype = typeof bb;
  if (!(atype === 'string' || atype === 'number') || !(btype === 'string' || btype === 'number')) {
    raise('T2008', { position, value: !(atype === 'string' || atype === 'number') ? aa : bb });
  }
  if (atype !== btype) raise('T2007', { position, value: aa, value2: bb });
  if (aa === bb) return 0;
  const comp = (aa as string) < (bb as string) ? -1 : 1;
  return descending ? -comp : comp;
}

/** Stable merge sort of fn.sort, comparing in the interpreter's order (errors surface the same way). */
function mergeSort(array: unknown[], swap: (a: unknown, b: unknown) => boolean): unknown[] {
  if (!Array.isArray(array) || array.length <= 1) return array;
  const middle = Math.floor(array.length / 2);
  const left = mergeSort(array.slice(0, middle), swap);
  const right = mergeSort(array.slice(middle), swap);
  const merged: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < left.length && r < right.length) merged.push(swap(left[l], right[r]) ? right[r++] : left[l++]);
  return merged.concat(left.slice(l), right.slice(r));
}

/** `^(…)`: order the whole input sequence by its terms (evaluateSortExpression), then its stages. */
function compileSortStep(step: AstNode, c: Compiler): Evaluator {
  const terms = (step.terms ?? []).map((t) => ({ key: c.compile(t.expression), descending: t.descending === true }));
  const stages = compileStages(step, c);
  return (input, env) => {
    const swap = (a: unknown, b: unknown): boolean => {
      let comp = 0;
      for (let i = 0; comp === 0 && i < terms.length; i++) {
        const term = terms[i] as (typeof terms)[number];
        comp = compareKeys(term.key(a, env), term.key(b, env), term.descending, step.position);
      }
      return comp === 1;
    };
    let result: unknown = input === undefined ? undefined : (input as unknown[]).length <= 1 ? input : mergeSort(input as unknown[], swap);
    for (const stage of stages) result = stage(result, env);
    return result;
  };
}
