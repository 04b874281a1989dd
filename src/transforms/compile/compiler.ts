/**
 * The node dispatcher: turns each node of JSONata's processed tree into a synchronous closure,
 * applying what the interpreter's `evaluate()` applies to every node (its predicates, then the
 * unwrapping of singleton sequences), and refusing with `Unsupported` anything outside the subset.
 * The simple nodes (literals, variables, conditions, blocks, `:=`, regex literals) are compiled
 * here; paths, operators, constructors and calls in their own modules.
 */
import { ORDINARY, Unsupported, refuseUnsupportedFlags } from './ast';
import type { AstNode, Compiler, Position } from './ast';
import { BUILTIN_NAMES, BUILTINS } from './builtins';
import { compileCall, compileLambda, compileTailCall } from './calls';
import { compileArray, compileObject } from './constructors';
import { NeedsInterpreter, raise } from './errors';
import { compileBinary, compileNegation } from './operators';
import { compileFilter, compilePath } from './paths';
import { Frame, OUTSIDE_SUBSET } from './scope';
import type { Evaluator } from './scope';
import { finisher, lookup, settle, toBoolean } from './values';
import type { Sequence } from './values';

function compileVariable(node: AstNode, c: Compiler, unwrap: boolean): Evaluator {
  const name = node.value as string;
  const finish = finisher(unwrap);
  if (name === '') return (input) => finish(input && (input as Sequence).outerWrapper ? (input as Sequence)[0] : input);
  const fixed = c.fixedValue(name);
  if (fixed) {
    const value = fixed.value;
    return () => value;
  }
  return (_input, env) => {
    const v = env.lookup(name);
    if (v === OUTSIDE_SUBSET) throw new NeedsInterpreter(`$${name} is outside the compiled subset`);
    return finish(v);
  };
}

function compileCondition(node: AstNode, c: Compiler, at: Position): Evaluator {
  const condition = c.compile(node.condition as AstNode);
  const then = c.compile(node.then as AstNode, at);
  const otherwise = node.else === undefined ? undefined : c.compile(node.else, at);
  return (input, env) => (toBoolean(condition(input, env)) ? then(input, env) : otherwise?.(input, env));
}

/** A block `( a; b; c )`: a new frame, its value the last expression's. */
function compileBlock(node: AstNode, c: Compiler, at: Position): Evaluator {
  const nodes = node.expressions ?? [];
  const parts = nodes.map((e, i) => c.compile(e, { tail: at.tail && i === nodes.length - 1, inMember: false }));
  return (input, env) => {
    const frame = new Frame(env, env.tailInput);
    let result: unknown;
    for (const part of parts) result = part(input, frame);
    return result;
  };
}

function compileBind(node: AstNode, c: Compiler, at: Position): Evaluator {
  const lhs = node.lhs as AstNode;
  if (lhs.type !== 'variable') throw new Unsupported('an assignment to something other than a $variable', node.position);
  // The interpreter evaluates array items and object values concurrently: a binding made there, in
  // a frame the other members share, is seen by them in an order that cannot be reproduced.
  if (at.inMember) throw new Unsupported('a := binding inside an array item or object value, outside a ( block )', node.position);
  const name = lhs.value as string;
  const rhs = c.compile(node.rhs as AstNode);
  return (input, env) => {
    const v = rhs(input, env);
    env.bind(name, v);
    return v;
  };
}

/** A regex literal is a matcher function (evaluateRegex), made afresh at each evaluation like the interpreter's. */
function compileRegex(node: AstNode): Evaluator {
  const source = node.value as RegExp;
  return () => {
    const re = new RegExp(source);
    const closure = (str: string, fromIndex?: number): unknown => {
      re.lastIndex = fromIndex || 0;
      const match = re.exec(str);
      if (match === null) return undefined;
      return {
        match: match[0], start: match.index, end: match.index + match[0].length, groups: match.slice(1),
        next: (): unknown => {
          if (re.lastIndex >= str.length) return undefined;
          const next = closure(str, re.lastIndex) as { match?: string } | undefined;
          if (next && next.match === '') raise('D1004', { position: node.position, value: source.source });
          return next;
        },
      };
    };
    return closure;
  };
}

/** Nodes whose own result is never a sequence, or already unwrapped by their children. */
function compileBare(node: AstNode, c: Compiler, at: Position): Evaluator {
  const unwrap = !node.predicate;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = node.value;
      return () => value;
    }
    case 'name': {
      // Only as a path step (jsonata wraps a lone name in a path).
      const key = node.value as string;
      const finish = finisher(unwrap);
      return (input) => finish(lookup(input, key));
    }
    case 'variable': return compileVariable(node, c, unwrap);
    case 'path': return compilePath(node, c, unwrap);
    case 'binary': return compileBinary(node, c);
    case 'condition': return compileCondition(node, c, at);
    case 'block': return compileBlock(node, c, at);
    case 'bind': return compileBind(node, c, at);
    case 'regex': return compileRegex(node);
    case 'function': return compileCall(node, c, unwrap);
    case 'lambda': return node.thunk && at.tail ? compileTailCall(node, c) : compileLambda(node, c);
    case 'unary':
      if (node.value === '[') return compileArray(node, c);
      if (node.value === '{') return compileObject(node, c);
      if (node.value === '-') return compileNegation(node, c);
      throw new Unsupported(`the unary ${String(node.value)} operator`, node.position);
    default:
      throw new Unsupported(`a ${node.type} expression`, node.position);
  }
}

/** The dispatcher, carrying the position of the node being compiled down to its children. */
export class NodeCompiler implements Compiler {
  private at: Position = ORDINARY;

  /**
   * @param boundNames - names the mapping binds and the evaluation bindings' names
   * @param registered - the registered functions, in the shape their frame holds them
   */
  constructor(readonly boundNames: ReadonlySet<string>, private readonly registered: ReadonlyMap<string, unknown>) {}

  fixedValue(name: string): { value: unknown } | undefined {
    if (this.boundNames.has(name)) return undefined;
    if (this.registered.has(name)) return { value: this.registered.get(name) };
    if (BUILTIN_NAMES.has(name) && !BUILTINS.has(name)) throw new Unsupported(`the $${name} function`);
    return { value: BUILTINS.get(name) };
  }

  /**
   * Compile a node; children not given a position keep the parent's member status, never its tail.
   * @param node - the node
   * @param at - its position
   */
  compile(node: AstNode, at?: Position): Evaluator {
    const outer = this.at;
    this.at = at ?? { tail: false, inMember: outer.inMember };
    // The interpreter filters a tail call's pending thunk, not its value: keep such calls ordinary.
    if (node.predicate) this.at = { ...this.at, tail: false };
    try {
      refuseUnsupportedFlags(node);
      const bare = compileBare(node, this, this.at);
      if (!node.predicate) return bare;
      const filters = node.predicate.map((p) => compileFilter(p.expr, this));
      return (input, env) => {
        let result = bare(input, env);
        for (const filter of filters) result = filter(result, env);
        return settle(result);
      };
    } finally {
      this.at = outer;
    }
  }
}
