/**
 * Variables and function application of compiled mappings. Frames are looked up by name at run time
 * exactly like the interpreter's (a block or a lambda call opens a frame; a name not bound yet in a
 * frame is looked for in the enclosing ones), which keeps closures and late bindings right without
 * a scope analysis. Function values keep the interpreter's shapes (`_jsonata_function`,
 * `_jsonata_lambda`), so `$type`, `$boolean`, `$string` see them as it does.
 */
import { NeedsInterpreter, raise } from './errors';
import { sequenceOf, emptySequence } from './values';

/** A compiled expression: its value for an input (the context `$`) in a frame. */
export type Evaluator = (input: unknown, env: Frame) => unknown;

/** JSONata's signature validator (jsonata's own, taken from its parser). */
export interface Signature {
  validate(args: unknown[], context: unknown): unknown[];
}

/** A built-in or registered function, in the interpreter's shape. */
export interface NativeFunction {
  _jsonata_function: true;
  implementation: (...args: unknown[]) => unknown;
  signature?: Signature;
}

/** A built-in name the compiled subset does not implement: reaching it hands over to the interpreter. */
export const OUTSIDE_SUBSET = Symbol('outside the compiled subset');

/** A variable frame (a block, a lambda call, the evaluation's bindings, the functions). */
export class Frame {
  private readonly vars = new Map<string, unknown>();

  /**
   * @param parent - the enclosing frame
   * @param tailInput - the input of the function application this frame belongs to, which the
   *   interpreter's trampoline uses as the context of tail calls
   */
  constructor(readonly parent: Frame | undefined, readonly tailInput: unknown) {}

  /**
   * Bind a name in this frame.
   * @param name - variable name without `$`
   * @param value - its value
   */
  bind(name: string, value: unknown): void {
    this.vars.set(name, value);
  }

  /**
   * The value of a name in this frame or the nearest enclosing one that binds it.
   * @param name - variable name without `$`
   */
  lookup(name: string): unknown {
    const v = this.vars.get(name);
    if (v !== undefined || this.vars.has(name)) return v;
    return this.parent?.lookup(name);
  }
}

/** A lambda (`function($x) { … }`) closed over its input and frame. */
export class Lambda {
  readonly _jsonata_lambda = true;

  /**
   * @param input - the context where the lambda was defined (its body's `$`)
   * @param environment - the frame where it was defined
   * @param params - parameter names without `$`
   * @param body - the compiled body (tail calls compiled as such)
   * @param signature - the lambda's own signature, if it declares one
   */
  constructor(readonly input: unknown, readonly environment: Frame, readonly params: string[], readonly body: Evaluator, readonly signature?: Signature) {}

  /** Number of parameters (utils.getFunctionArity). */
  get arity(): number {
    return this.params.length;
  }

  /**
   * Run the body with the arguments bound in a new frame.
   * @param args - validated arguments
   * @param callerInput - the applying site's input (context of the body's tail calls)
   */
  invoke(args: unknown[], callerInput: unknown): unknown {
    const frame = new Frame(this.environment, callerInput);
    this.params.forEach((p, i) => frame.bind(p, args[i]));
    return this.body(this.input, frame);
  }
}

function isIterator(v: unknown): v is Iterator<unknown> {
  return typeof v === 'object' && v !== null && Symbol.iterator in v && 'next' in v && typeof (v as { next: unknown }).next === 'function';
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'then' in v && typeof v.then === 'function';
}

/** A function's result as the interpreter takes it: a generator's first value; a promise cannot be awaited here. */
function foreignResult(result: unknown): unknown {
  const value = isIterator(result) ? result.next().value : result;
  if (isThenable(value)) throw new NeedsInterpreter('a function returned a promise');
  return value;
}

/**
 * Apply a function value to arguments (the interpreter's applyInner, without its trampoline: tail
 * calls are compiled as calls). Arguments are checked against the function's signature first.
 * @param proc - the function value
 * @param args - evaluated arguments
 * @param callerInput - the context a signature's `-` parameter defaults to
 */
export function applyFunction(proc: unknown, args: unknown[], callerInput: unknown): unknown {
  const p = proc as Partial<NativeFunction> & { _jsonata_lambda?: unknown } | undefined;
  const validated = p ? (p.signature ? p.signature.validate(args, callerInput) : args) : args;
  if (p?._jsonata_lambda === true) {
    if (!(proc instanceof Lambda)) throw new NeedsInterpreter('a lambda-like value from the input');
    return proc.invoke(validated, callerInput);
  }
  if (p?._jsonata_function === true && typeof p.implementation === 'function') {
    return foreignResult(p.implementation.apply({ input: callerInput, createSequence: createSequenceFocus }, validated));
  }
  if (typeof proc === 'function') return foreignResult((proc as (...a: unknown[]) => unknown).apply(callerInput, validated));
  raise('T1006');
}

/** `this.createSequence` of a function called by the interpreter. */
function createSequenceFocus(...items: unknown[]): unknown[] {
  return items.length === 1 ? sequenceOf(items[0]) : emptySequence();
}

/**
 * The closure the interpreter passes for a function argument (evaluateFunction): calling it applies
 * the function with no context; `arity` is the wrapped function's.
 * @param fn - the function value passed as an argument
 */
export function wrapFunctionArgument(fn: unknown): (...params: unknown[]) => unknown {
  const closure = (...params: unknown[]): unknown => applyFunction(fn, params, null);
  const f = fn as { arity?: unknown; implementation?: unknown; length?: unknown; arguments: unknown[] };
  // utils.getFunctionArity, unguarded like it: an input object merely flagged `_jsonata_lambda`
  // has no `arguments`, and the interpreter fails on it with this very TypeError.
  const arity = typeof f.arity === 'number' ? f.arity
    : typeof f.implementation === 'function' ? f.implementation.length
      : typeof f.length === 'number' ? f.length : f.arguments.length;
  return Object.assign(closure, { arity });
}
