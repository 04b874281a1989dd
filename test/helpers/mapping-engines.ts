/**
 * The two engines of a mapping side by side, for the equivalence tests of src/transforms/compile:
 * the same bundled (and MAPPINGS_DIR) mappings over the same settings and functions, once on
 * JSONata's interpreter and once compiled where the subset allows, plus the compiled code alone
 * (without the interpreter taking over a failing evaluation), to compare what each returns or throws.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import type { Transforms } from '../../src/transforms';
import { compileMapping } from '../../src/transforms/compile';
import type { CompiledMapping } from '../../src/transforms/compile';
import { mappingFunctions } from '../../src/transforms/functions';
import { buildTransforms, mappingEnvironment } from '../../src/transforms-module';
import { failure } from './jsonata-engines';
import type { Outcome } from './jsonata-engines';
import { liveSettings } from './transforms';

/** What an evaluation gave: a value, or the error's class, code and message. */
export type Evaluation = Outcome;

/** Both engines over the same settings. */
export interface EnginePair {
  interpreter: Transforms;
  compiled: Transforms;
  /** The compiled code alone, for a mapping the subset covers. */
  raw(name: string): CompiledMapping | undefined;
  settings(): Record<string, unknown>;
}

/**
 * Build both engines.
 * @param overrides - live-settings overrides
 * @param opts - phone country (default SL) and a MAPPINGS_DIR
 */
export function enginePair(overrides: Record<string, unknown> = {}, opts: { phoneCountry?: string; mappingsDir?: string } = {}): EnginePair {
  const live = liveSettings(overrides);
  const moduleOpts = { live: () => live, phoneCountry: opts.phoneCountry ?? 'SL', mappingsDir: opts.mappingsDir };
  const interpreter = buildTransforms({ ...moduleOpts, engine: 'interpreter' });
  const compiled = buildTransforms(moduleOpts);
  const env = mappingEnvironment(moduleOpts);
  const functions = mappingFunctions(env.functions);
  const raws = new Map<string, CompiledMapping | undefined>();
  const raw = (name: string): CompiledMapping | undefined => {
    if (!raws.has(name)) {
      const expr = jsonata(readFileSync(compiled.get(name).file, 'utf8'));
      for (const [n, fn] of Object.entries(functions)) expr.registerFunction(n, fn);
      const outcome = compileMapping(expr, functions, ['settings']);
      raws.set(name, outcome.ok ? outcome.mapping : undefined);
    }
    return raws.get(name);
  };
  return { interpreter, compiled, raw, settings: env.settings };
}

/**
 * The interpreter's evaluation of a mapping.
 * @param pair - the engines
 * @param name - mapping
 * @param input - the record
 */
export async function interpreted(pair: EnginePair, name: string, input: unknown): Promise<Evaluation> {
  try {
    return { value: await pair.interpreter.get(name).evaluate(input) };
  } catch (err) {
    return failure(err);
  }
}

/**
 * The compiled code's own evaluation (no interpreter behind it).
 * @param pair - the engines
 * @param name - mapping (compiled)
 * @param input - the record
 */
export function compiledAlone(pair: EnginePair, name: string, input: unknown): Evaluation {
  const mapping = pair.raw(name);
  if (!mapping) throw new Error(`${name} is not compiled`);
  try {
    return { value: mapping.evaluate(input, { settings: pair.settings() }) };
  } catch (err) {
    return failure(err);
  }
}

/**
 * Same value (prototypes and JSONata's sequence flags included) or same error (class, code, message).
 * @param a - one evaluation
 * @param b - the other
 */
export function sameEvaluation(a: Evaluation, b: Evaluation): boolean {
  return isDeepStrictEqual(a, b);
}
