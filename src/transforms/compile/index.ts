/**
 * Compiles a JSONata mapping to synchronous JavaScript closures when it stays within the subset the
 * bundled mappings use (see src/transforms/README.md, "Compiled mappings"), so that a record is mapped
 * without the jsonata 2.x interpreter's await per syntax node. The result is the interpreter's, JSONata
 * semantics included; a mapping with anything outside the subset is not compiled and keeps running on
 * the interpreter (the caller decides, per mapping, at load).
 */
import type { Expression } from 'jsonata';
import jsonataPackage from 'jsonata/package.json';
import { Unsupported } from './ast';
import type { AstNode } from './ast';
import { BUILTIN_NAMES, BUILTINS } from './builtins';
import { NodeCompiler } from './compiler';
import { NeedsInterpreter, populateMessage } from './errors';
import { mayReturnFunctions } from './escape';
import { Frame, OUTSIDE_SUBSET } from './scope';
import type { NativeFunction } from './scope';
import { isFunction, isSequence, sequenceOf } from './values';

export { NeedsInterpreter } from './errors';

/** A compiled mapping: evaluate it as `expr.evaluate(input, bindings)` would, synchronously. */
export interface CompiledMapping {
  /**
   * The mapping's value for an input; throws what the interpreter would throw (a JSONata error
   * object, a function's own error) or NeedsInterpreter when only the interpreter can go on.
   * @param input - the record
   * @param bindings - the evaluation's variables (`settings`)
   */
  evaluate(input: unknown, bindings: Readonly<Record<string, unknown>>): unknown;
}

/** What compiling gave: the compiled mapping, or why the mapping stays on the interpreter. */
export type CompileOutcome = { ok: true; mapping: CompiledMapping } | { ok: false; reason: string };

/**
 * The jsonata release whose interpreter the compiled code reproduces (its evaluator was ported
 * line by line). Another release may evaluate differently: then nothing is compiled until the
 * equivalence tests have passed against it and this is raised.
 */
export const REPRODUCED_JSONATA = '2.2.2';

/**
 * Why the installed jsonata cannot be compiled for, if it cannot.
 * @param installed - the installed jsonata version
 */
export function jsonataVersionProblem(installed: string): string | undefined {
  return installed === REPRODUCED_JSONATA ? undefined : `jsonata ${installed} is installed; the compiled engine reproduces jsonata ${REPRODUCED_JSONATA}`;
}

const INSTALLED_PROBLEM = jsonataVersionProblem(jsonataPackage.version);

/** Names the mapping binds (`$x := …`, lambda parameters): they may stand for something else than a built-in. */
function boundNames(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => boundNames(n, into));
  else if (node !== null && typeof node === 'object' && !(node instanceof RegExp)) {
    const n = node as AstNode;
    if (n.type === 'bind' && typeof (n.lhs as AstNode | undefined)?.value === 'string') into.add((n.lhs as AstNode).value as string);
    if (n.type === 'lambda') (n.arguments ?? []).forEach((a) => typeof a.value === 'string' && into.add(a.value));
    for (const [key, value] of Object.entries(n)) if (key !== 'signature') boundNames(value, into);
  }
  return into;
}

/** The frames every evaluation starts from: built-ins (outside-subset names trapped), then the registered functions. */
function functionFrame(registered: ReadonlyMap<string, NativeFunction>): Frame {
  const builtins = new Frame(undefined, undefined);
  for (const name of BUILTIN_NAMES) builtins.bind(name, BUILTINS.get(name) ?? OUTSIDE_SUBSET);
  const frame = new Frame(builtins, undefined);
  for (const [name, definition] of registered) frame.bind(name, definition);
  return frame;
}

/**
 * True when a function value is part of the result: the compiled code's function values are not the
 * interpreter's objects (a lambda's closure differs), so such a result is left to the interpreter.
 * @param value - the result, walked through arrays and objects
 */
function holdsFunction(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value === 'function';
  if (isFunction(value)) return true;
  if (Array.isArray(value)) return value.some(holdsFunction);
  for (const key in value) if (holdsFunction((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * Compile a parsed mapping.
 * @param expr - the mapping as jsonata parsed it (its `ast()` is read, never changed)
 * @param functions - the custom functions registered on it (name without `$`)
 * @param bindingNames - the names of the variables every evaluation binds (`settings`)
 */
export function compileMapping(expr: Expression, functions: Readonly<Record<string, (...args: unknown[]) => unknown>>, bindingNames: readonly string[]): CompileOutcome {
  if (INSTALLED_PROBLEM) return { ok: false, reason: INSTALLED_PROBLEM };
  const ast = expr.ast() as unknown as AstNode;
  // Registered as JSONata registers them (no signature); one object per function, looked up or fixed.
  const registered = new Map(Object.entries(functions).map(([name, implementation]): [string, NativeFunction] => [name, { _jsonata_function: true, implementation }]));
  // `$$` is the variable `$`, bound to the input at each evaluation.
  const names = boundNames(ast, new Set([...bindingNames, '$']));
  let root;
  try {
    root = new NodeCompiler(names, registered).compile(ast);
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.message };
    throw err;
  }
  const shared = functionFrame(registered);
  const allowed = new Set(bindingNames);
  const checkFunctions = mayReturnFunctions(ast, new Set(Object.keys(functions)));
  return {
    ok: true,
    mapping: {
      evaluate(input, bindings) {
        const frame = new Frame(shared, undefined);
        for (const key of Object.keys(bindings)) {
          // Names that are not bindings were resolved at compile time: a binding of one would not be seen.
          if (!allowed.has(key)) throw new NeedsInterpreter(`$${key} was not declared as a binding when the mapping was compiled`);
          frame.bind(key, bindings[key]);
        }
        frame.bind('$', input);
        // A JSON array input is one item, as the interpreter's outer wrapper makes it.
        const context = Array.isArray(input) && !isSequence(input) ? Object.assign(sequenceOf(input), { outerWrapper: true }) : input;
        let result: unknown;
        try {
          result = root(context, frame);
        } catch (err) {
          populateMessage(err);
          throw err;
        }
        if (checkFunctions && holdsFunction(result)) throw new NeedsInterpreter('the result holds a function value');
        return result;
      },
    },
  };
}
