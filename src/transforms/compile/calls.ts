/**
 * Function calls and lambdas, compiled from the interpreter's evaluateFunction, evaluateLambda and
 * its tail-call trampoline. A call looks its function up by name at run time (a mapping may bind a
 * name over a built-in), evaluates the arguments in order, wraps function arguments as the
 * interpreter does, checks them against the function's signature and applies it. A call in tail
 * position of a lambda body (a "thunk" in jsonata's tree) is applied the trampoline's way: arguments
 * not wrapped, context defaulted from the site that applied the lambda, result not unwrapped there.
 */
import { ORDINARY, Unsupported, refuseUnsupportedFlags } from './ast';
import type { AstNode, Compiler } from './ast';
import type { JsonataErrorObject } from './errors';
import { Lambda, applyFunction, wrapFunctionArgument } from './scope';
import type { Evaluator, Frame } from './scope';
import { finisher, isFunction } from './values';

/** Names the call's error with the function's name, as the interpreter does when the error has none. */
function named(err: unknown, name: string, position: number | undefined): unknown {
  if (err !== null && typeof err === 'object') {
    const e = err as Partial<JsonataErrorObject>;
    if (e.position === undefined) e.position = position;
    if (e.token === undefined) e.token = name;
  }
  return err;
}

/** The function a call names: must be a `$name` (the subset has no `expr(…)` calls). */
function procedureOf(node: AstNode, c: Compiler): { name: string; lookup: Evaluator } {
  const procedure = node.procedure as AstNode;
  if (procedure.type !== 'variable') throw new Unsupported('a call of something other than a $function', node.position);
  const name = procedure.value as string;
  return { name, lookup: c.compile(procedure) };
}

/**
 * Compile a call `$f(a, b)`.
 * @param node - the function node
 * @param c - the compiler
 * @param unwrap - unwrap the result here (not when predicates follow)
 */
export function compileCall(node: AstNode, c: Compiler, unwrap: boolean): Evaluator {
  const { name, lookup } = procedureOf(node, c);
  const finish = finisher(unwrap);
  const args = (node.arguments ?? []).map((a) => c.compile(a));
  return (input, env) => {
    const proc = lookup(input, env);
    const values = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) {
      const v = (args[i] as Evaluator)(input, env);
      values[i] = isFunction(v) ? wrapFunctionArgument(v) : v;
    }
    try {
      return finish(applyFunction(proc, values, input));
    } catch (err) {
      throw named(err, name, node.position);
    }
  };
}

/**
 * Compile a call in tail position of a lambda body (jsonata's thunk around a function node).
 * @param thunk - the thunk lambda node
 * @param c - the compiler
 */
export function compileTailCall(thunk: AstNode, c: Compiler): Evaluator {
  const call = thunk.body as AstNode;
  refuseUnsupportedFlags(call);
  const { name, lookup } = procedureOf(call, c);
  const args = (call.arguments ?? []).map((a) => c.compile(a));
  const position = (call.procedure as AstNode).position;
  return (input, env: Frame) => {
    const proc = lookup(input, env);
    const values = args.map((a) => a(input, env));
    try {
      return applyFunction(proc, values, env.tailInput);
    } catch (err) {
      throw named(err, name, position);
    }
  };
}

/**
 * Compile a lambda definition `function($a, $b) { … }`: its body in tail position, its own frame.
 * @param node - the lambda node
 * @param c - the compiler
 */
export function compileLambda(node: AstNode, c: Compiler): Evaluator {
  if (node.thunk) throw new Unsupported('a tail call outside a lambda body', node.position);
  const params = (node.arguments ?? []).map((p) => p.value as string);
  const body = c.compile(node.body as AstNode, { ...ORDINARY, tail: true });
  const signature = node.signature;
  return (input, env) => new Lambda(input, env, params, body, signature);
}
