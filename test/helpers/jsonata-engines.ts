/**
 * One JSONata expression on both engines, for the semantic tests of src/transforms/compile: the
 * interpreter's `evaluate` and the compiled code alone, over the same input, bindings and functions.
 */
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { compileMapping } from '../../src/transforms/compile';

/** What one engine gave: a value, or the error's code and message (and class). */
export type Outcome = { value: unknown } | { error: { kind: string; code?: string; message?: string } };

/**
 * What a thrown value says: its class (or type), code and message.
 * @param err - what an engine threw
 */
export function failure(err: unknown): Outcome {
  const e = err as { name?: string; code?: string; message?: string } | null;
  return { error: { kind: err instanceof Error ? (e?.name ?? 'Error') : typeof err, code: e?.code, message: e?.message } };
}

/** Custom functions of the semantic tests (sync, async and generator ones). */
export const TEST_FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  echo: (x) => x,
  later: (x) => Promise.resolve(x),
  *firstOf(x: unknown) {
    yield x;
  },
  fail: () => {
    throw new Error('refused by a custom function');
  },
};

/**
 * Evaluate `text` on both engines (a fresh copy of the input for each: JSONata may push into it).
 * @param text - the expression
 * @param input - the input
 * @param bindings - variables bound at evaluation
 */
export async function bothEngines(text: string, input?: unknown, bindings: Record<string, unknown> = {}): Promise<{ interpreter: Outcome; compiled: Outcome | 'not compiled'; reason?: string }> {
  const expr = jsonata(text);
  for (const [name, fn] of Object.entries(TEST_FUNCTIONS)) expr.registerFunction(name, fn);
  let interpreter: Outcome;
  try {
    interpreter = { value: await expr.evaluate(structuredClone(input), bindings) };
  } catch (err) {
    interpreter = failure(err);
  }
  const compiledMapping = compileMapping(expr, TEST_FUNCTIONS, Object.keys(bindings));
  if (!compiledMapping.ok) return { interpreter, compiled: 'not compiled', reason: compiledMapping.reason };
  try {
    return { interpreter, compiled: { value: compiledMapping.mapping.evaluate(structuredClone(input), bindings) } };
  } catch (err) {
    return { interpreter, compiled: failure(err) };
  }
}

/**
 * Strict deep equality (prototypes, sequence flags) of the two engines' outcomes.
 * @param r - both outcomes
 */
export function identical(r: { interpreter: Outcome; compiled: Outcome | 'not compiled' }): boolean {
  return isDeepStrictEqual(r.interpreter, r.compiled);
}
