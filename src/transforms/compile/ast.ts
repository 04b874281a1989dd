/**
 * The JSONata syntax tree as `jsonata(text).ast()` returns it (after jsonata's own post-processing:
 * paths of steps, predicates turned into stages, tail calls wrapped in thunk lambdas), and the
 * interface every node compiler shares.
 */
import type { Evaluator, Signature } from './scope';

/** One node of JSONata's processed syntax tree (only the fields the compiler reads). */
export interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: Array<{ type: string; expr: AstNode; value?: unknown }>;
  predicate?: Array<{ type: string; expr: AstNode }>;
  expressions?: AstNode[];
  lhs?: AstNode | Array<[AstNode, AstNode]>;
  rhs?: AstNode;
  expression?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  procedure?: AstNode;
  arguments?: AstNode[];
  body?: AstNode;
  signature?: Signature;
  thunk?: boolean;
  terms?: Array<{ descending: boolean; expression: AstNode }>;
  consarray?: boolean;
  [flag: string]: unknown;
}

/**
 * Where a node sits, as far as the compilation cares: in tail position of a lambda body (a thunk
 * there is a tail call), or inside an array item or object value, which the interpreter evaluates
 * concurrently (a `:=` there would bind in a shared frame in an order we cannot reproduce).
 */
export interface Position {
  tail: boolean;
  inMember: boolean;
}

/** The dispatcher every node compiler calls for its children. */
export interface Compiler {
  /**
   * Compile a node, with its predicates and the singleton unwrapping of `evaluate()`.
   * @param node - the node
   * @param at - its position (default: not in tail position, not in a member)
   */
  compile(node: AstNode, at?: Position): Evaluator;
  /** Names bound somewhere in the mapping (`:=` or lambda parameters): they may shadow functions. */
  readonly boundNames: ReadonlySet<string>;
  /**
   * The value of a `$name` that nothing can rebind (not bound by the mapping, not an evaluation
   * binding): a registered or built-in function, or nothing. Throws Unsupported for a built-in
   * outside the subset. Undefined for a name that must be looked up at run time.
   * @param name - the variable name without `$`
   */
  fixedValue(name: string): { value: unknown } | undefined;
}

/** A construct outside the compiled subset: the mapping stays on the interpreter. */
export class Unsupported extends Error {
  /**
   * @param what - the construct, as a reader of the mapping would name it
   * @param position - its character position in the mapping, when known
   */
  constructor(what: string, readonly position?: number) {
    super(position === undefined ? what : `${what} (character ${position})`);
    this.name = 'Unsupported';
  }
}

/** Flags of tuple streams, group-by, parent `%` and `[]` (keep singleton arrays): outside the subset. */
const UNSUPPORTED_FLAGS = ['keepArray', 'group', 'focus', 'index', 'tuple', 'ancestor', 'seekingParent'];

/**
 * Refuse a node carrying a flag of a construct outside the subset.
 * @param node - the node
 */
export function refuseUnsupportedFlags(node: AstNode): void {
  const flag = UNSUPPORTED_FLAGS.find((f) => node[f] !== undefined);
  if (flag) throw new Unsupported(`a ${node.type} with ${flag}`, node.position);
}

/** Default position: an ordinary sub-expression. */
export const ORDINARY: Position = { tail: false, inMember: false };
