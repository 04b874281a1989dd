/**
 * The JSONata mappings, compiled once at start: the bundled ones (src/transforms/mappings) and a
 * deployment's own (`MAPPINGS_DIR/*.jsonata`, which replace a bundled mapping of the same name or
 * add new ones, without a rebuild). A syntax error stops start-up with the file, line, column and
 * token. `map` evaluates a mapping on one record and validates the output as FHIR R4 before anything
 * reaches the registry; a failure is a value (stage + reason), never an exception, so the caller
 * can dead-letter the record and go on.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import jsonata from 'jsonata';
import type { Expression } from 'jsonata';
import { MediatorError } from '../core/errors';
import type { Logger } from '../core/logger';
import { NeedsInterpreter, compileMapping } from './compile';
import type { CompiledMapping } from './compile';
import { MappingFunctionError, mappingFunctions } from './functions';
import type { MappingFunctionOptions } from './functions';

export { MappingFunctionError } from './functions';
export type { MappingFunctionOptions } from './functions';

/** A mapping file that does not compile; the message names file, line, column and token. */
export class MappingCompileError extends Error {
  /**
   * @param file - the .jsonata file
   * @param line - 1-based line of the offending token
   * @param column - 1-based column of its last character
   * @param token - the token JSONata stopped at
   * @param reason - JSONata's message and code
   */
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly token: string, reason: string) {
    super(`Mapping ${file}: line ${line}, column ${column}, at "${token}": ${reason}`);
    this.name = 'MappingCompileError';
  }
}

/** One problem of a mapped resource (a FHIR path and what is wrong there). */
export interface OutputIssue {
  path?: string;
  message: string;
}

/** Checks a mapped resource as FHIR R4 (wired by the composition root to the FHIR API's validator). */
export type OutputValidator = (resource: Record<string, unknown>, resourceType: string) => OutputIssue[];

/** What `map` produced: the resource, or where and why it failed. */
export type MapOutcome<R = Record<string, unknown>> =
  | { ok: true; resource: R }
  | { ok: false; stage: 'mapping' | 'validation'; reason: string; issues?: OutputIssue[] };

/** A compiled mapping. */
export interface Mapping {
  name: string;
  file: string;
  origin: 'bundled' | 'deployment';
  /**
   * What evaluates it: `compiled` (synchronous closures, src/transforms/compile) when the mapping
   * stays within the compiled subset, else JSONata's own `interpreter`. Decided once, at load.
   */
  engine: MappingEngine;
  /** Why the mapping runs on the interpreter (the first construct outside the subset), if it does. */
  interpreterReason?: string;
  /**
   * Evaluate on one input (a promise either way: JSONata 2's interpreter is asynchronous).
   * @param input - the source payload
   */
  evaluate(input: unknown): Promise<unknown>;
}

/** The engines a mapping can run on. */
export type MappingEngine = 'compiled' | 'interpreter';

/** Every compiled mapping, by name (the file name without `.jsonata`). */
export interface Transforms {
  names(): string[];
  has(name: string): boolean;
  /** Throws `not-found` for an unknown name. */
  get(name: string): Mapping;
  /**
   * Map one record and validate the output as a FHIR R4 resource of `resourceType`.
   * @param name - mapping name
   * @param input - the source record as received
   * @param resourceType - the resource the mapping must produce
   */
  map<R = Record<string, unknown>>(name: string, input: unknown, resourceType: string): Promise<MapOutcome<R>>;
}

/** Options of `loadTransforms`. */
export interface TransformsOptions {
  /** Folders of `*.jsonata` files, later ones overriding earlier ones by name. */
  dirs: string[];
  functions: MappingFunctionOptions;
  /** The `$settings` binding of every evaluation (identifier systems…), read at each call. */
  settings: () => Record<string, unknown>;
  validate?: OutputValidator;
  /** `interpreter` runs every mapping on JSONata's interpreter (default `auto`: compiled where possible). */
  engine?: 'auto' | 'interpreter';
  /** Where the engine chosen for each mapping is logged (debug). */
  logger?: Pick<Logger, 'debug'>;
}

/**
 * The bundled mapping folder (source tree or next to the compiled code).
 * @param baseDir - directory to resolve from (default: this module's directory)
 */
export function bundledMappingsDir(baseDir: string = __dirname): string {
  const candidates = [path.join(baseDir, 'mappings'), path.join(process.cwd(), 'src', 'transforms', 'mappings')];
  return candidates.find((d) => existsSync(d)) ?? (candidates[0] as string);
}

/**
 * 1-based line and column of a 0-based character index.
 * @param text - the source
 * @param index - character index
 */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, index));
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

function compile(file: string, functions: Record<string, (...args: unknown[]) => unknown>): Expression {
  const text = readFileSync(file, 'utf8');
  let expr: Expression;
  try {
    expr = jsonata(text);
  } catch (err) {
    const e = err as { position?: number; token?: string; message?: string; code?: string };
    // JSONata's position is the 1-based index of the offending token's last character.
    const { line, column } = lineAndColumn(text, Math.max(0, (e.position ?? 1) - 1));
    throw new MappingCompileError(file, line, column, e.token ?? '', `${e.message ?? 'syntax error'}${e.code ? ` (${e.code})` : ''}`);
  }
  for (const [name, fn] of Object.entries(functions)) expr.registerFunction(name, fn);
  return expr;
}

function mappingFiles(dirs: string[]): Map<string, { file: string; origin: Mapping['origin'] }> {
  const files = new Map<string, { file: string; origin: Mapping['origin'] }>();
  dirs.forEach((dir, i) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonata')).sort()) {
      files.set(f.slice(0, -'.jsonata'.length), { file: path.join(dir, f), origin: i === 0 ? 'bundled' : 'deployment' });
    }
  });
  return files;
}

/**
 * A readable reason from an evaluation error: JSONata's message with its position, or a function's.
 * @param err - what evaluation threw
 */
function evaluationReason(err: unknown): string {
  if (err instanceof MappingFunctionError) return err.message;
  const e = err as { message?: string; code?: string; position?: number; token?: string };
  // D3137: the mapping's own $error("…"), whose message is the reason.
  if (e.code === 'D3137') return e.message ?? 'the mapping refused the record';
  const where = e.position !== undefined ? ` (at "${e.token ?? ''}", character ${e.position})` : '';
  return `${e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}${where}`;
}

/**
 * The mapping on the compiled engine when it stays within the subset, else on the interpreter. A
 * compiled evaluation that throws is done again by the interpreter, whose error is the record's
 * failure reason: the interpreter evaluates array items and object values concurrently, so which of
 * two failing members fails the record first, and the character position a failure inside a lambda
 * reports, follow its scheduling, which compiled code cannot reproduce. Failures are rare and
 * dead-lettered; the interpreter's time on them does not matter.
 * @param meta - name, file and origin
 * @param expr - the parsed mapping, functions registered
 * @param functions - the custom functions
 * @param opts - the settings binding and the engine choice
 */
function withEngine(meta: Pick<Mapping, 'name' | 'file' | 'origin'>, expr: Expression, functions: Record<string, (...args: unknown[]) => unknown>, opts: TransformsOptions): Mapping {
  const interpret = (input: unknown): Promise<unknown> => expr.evaluate(input, { settings: opts.settings() });
  if (opts.engine === 'interpreter') return { ...meta, engine: 'interpreter', interpreterReason: 'the interpreter was asked for', evaluate: interpret };
  const outcome = compileMapping(expr, functions, ['settings']);
  if (!outcome.ok) return { ...meta, engine: 'interpreter', interpreterReason: outcome.reason, evaluate: interpret };
  const compiled: CompiledMapping = outcome.mapping;
  return {
    ...meta,
    engine: 'compiled',
    evaluate: async (input) => {
      const settings = opts.settings();
      try {
        return compiled.evaluate(input, { settings });
      } catch (err) {
        // Only the error's kind and code: JSONata's messages quote the record's values.
        const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
        opts.logger?.debug({ mapping: meta.name, code: e?.code, kind: err instanceof NeedsInterpreter ? e?.message : e?.name }, 'compiled evaluation redone by the interpreter');
        return expr.evaluate(input, { settings });
      }
    },
  };
}

/**
 * Compile every mapping of the given folders; throws MappingCompileError on the first that fails.
 * @param opts - folders, custom functions, settings binding and output validator
 */
export function loadTransforms(opts: TransformsOptions): Transforms {
  const functions = mappingFunctions(opts.functions);
  const mappings = new Map<string, Mapping>();
  for (const [name, { file, origin }] of mappingFiles(opts.dirs)) {
    const mapping = withEngine({ name, file, origin }, compile(file, functions), functions, opts);
    opts.logger?.debug({ mapping: name, file, engine: mapping.engine, reason: mapping.interpreterReason }, `mapping ${name} runs on the ${mapping.engine === 'compiled' ? 'compiled engine' : 'JSONata interpreter'}`);
    mappings.set(name, mapping);
  }
  const get = (name: string): Mapping => {
    const m = mappings.get(name);
    if (!m) throw new MediatorError('not-found', `No mapping named ${name}`, { known: [...mappings.keys()] });
    return m;
  };
  return {
    names: () => [...mappings.keys()].sort(),
    has: (name) => mappings.has(name),
    get,
    async map<R>(name: string, input: unknown, resourceType: string): Promise<MapOutcome<R>> {
      let output: unknown;
      try {
        output = await get(name).evaluate(input);
      } catch (err) {
        return { ok: false, stage: 'mapping', reason: evaluationReason(err) };
      }
      const { resource, issues } = checkOutput(output, resourceType, opts.validate);
      if (!resource || issues.length > 0) return { ok: false, stage: 'validation', reason: `the mapped ${resourceType} is not valid FHIR R4`, issues };
      return { ok: true, resource: resource as R };
    },
  };
}

/** Longest text a mapped element may hold: a name or an address line of kilobytes is not one. */
export const MAX_MAPPED_STRING = 4096;

/**
 * A plain JSON copy of a mapping's output without the empty values FHIR forbids (null, '', [], {}),
 * which lets a mapping write `"telecom": [...]` without guarding every optional element. Strings
 * longer than MAX_MAPPED_STRING are reported.
 * @param value - the evaluation result
 * @param path - FHIR path of `value`
 * @param issues - collects over-long strings
 */
export function pruneOutput(value: unknown, path: string, issues: OutputIssue[]): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') {
    if (value.length > MAX_MAPPED_STRING) issues.push({ path, message: `value of ${value.length} characters (at most ${MAX_MAPPED_STRING})` });
    return value;
  }
  if (typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (Array.isArray(value)) {
    const items = value.map((v, i) => pruneOutput(v, `${path}[${i}]`, issues)).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const pruned = pruneOutput(v, path === '' ? k : `${path}.${k}`, issues);
    if (pruned !== undefined) out[k] = pruned;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function checkOutput(output: unknown, resourceType: string, validate: OutputValidator | undefined): { resource?: Record<string, unknown>; issues: OutputIssue[] } {
  if (output === null || typeof output !== 'object' || Array.isArray(output)) {
    return { issues: [{ message: `the mapping produced ${output === undefined ? 'nothing' : Array.isArray(output) ? 'an array' : typeof output}, not a ${resourceType}` }] };
  }
  const issues: OutputIssue[] = [];
  const resource = pruneOutput(output, resourceType, issues) as Record<string, unknown>;
  if (resource?.resourceType !== resourceType) return { issues: [{ path: 'resourceType', message: `expected ${resourceType}, got ${String(resource?.resourceType)}` }] };
  if (issues.length > 0) return { issues };
  return { resource, issues: validate ? validate(resource, resourceType) : [] };
}
