/**
 * Binary operators and unary minus, compiled from the interpreter's evaluateBinary family: `and`/`or`
 * give booleans and skip their right side when the left decides; `=`/`!=` are false when a side is
 * missing; comparisons and arithmetic of a missing side give nothing; `&` prints both sides. Type
 * errors carry the interpreter's codes, position and operator. The range `..` is outside the subset.
 */
import { Unsupported } from './ast';
import type { AstNode, Compiler } from './ast';
import { raise } from './errors';
import type { Evaluator } from './scope';
import { isDeepEqual, isNumeric, stringify, toBoolean } from './values';

type Operation = (lhs: unknown, rhs: unknown) => unknown;

function arithmetic(op: (a: number, b: number) => number): Operation {
  return (lhs, rhs) => {
    if (lhs !== undefined && !isNumeric(lhs)) raise('T2001', { value: lhs });
    if (rhs !== undefined && !isNumeric(rhs)) raise('T2002', { value: rhs });
    return lhs === undefined || rhs === undefined ? undefined : op(lhs, rhs);
  };
}

function comparison(op: (a: string | number, b: string | number) => boolean): Operation {
  return (lhs, rhs) => {
    const ltype = typeof lhs;
    const rtype = typeof rhs;
    const lok = ltype === 'undefined' || ltype === 'string' || ltype === 'number';
    const rok = rtype === 'undefined' || rtype === 'string' || rtype === 'number';
    if (!lok || !rok) raise('T2010', { value: !(ltype === 'string' || ltype === 'number') ? lhs : rhs });
    if (ltype === 'undefined' || rtype === 'undefined') return undefined;
    if (ltype !== rtype) raise('T2009', { value: lhs, value2: rhs });
    return op(lhs as string | number, rhs as string | number);
  };
}

const OPERATIONS: Record<string, Operation> = {
  '+': arithmetic((a, b) => a + b),
  '-': arithmetic((a, b) => a - b),
  '*': arithmetic((a, b) => a * b),
  '/': arithmetic((a, b) => a / b),
  '%': arithmetic((a, b) => a % b),
  '=': (lhs, rhs) => (lhs === undefined || rhs === undefined ? false : isDeepEqual(lhs, rhs)),
  '!=': (lhs, rhs) => (lhs === undefined || rhs === undefined ? false : !isDeepEqual(lhs, rhs)),
  '<': comparison((a, b) => a < b),
  '<=': comparison((a, b) => a <= b),
  '>': comparison((a, b) => a > b),
  '>=': comparison((a, b) => a >= b),
  '&': (lhs, rhs) => (lhs === undefined ? '' : stringify(lhs)) + (rhs === undefined ? '' : (stringify(rhs) as string)),
  in: (lhs, rhs) => lhs !== undefined && rhs !== undefined && (Array.isArray(rhs) ? rhs : [rhs]).some((v) => v === lhs),
};

/** The interpreter marks an operator's error with the operator and its position. */
function marked(err: unknown, node: AstNode): unknown {
  if (err !== null && typeof err === 'object') Object.assign(err, { position: node.position, token: node.value });
  return err;
}

const boolize = (v: unknown): boolean => toBoolean(v) ?? false;

/**
 * Compile a binary operator node.
 * @param node - the node (`value` is the operator)
 * @param c - the compiler
 */
export function compileBinary(node: AstNode, c: Compiler): Evaluator {
  const op = node.value as string;
  const lhs = c.compile(node.lhs as AstNode);
  const rhs = c.compile(node.rhs as AstNode);
  if (op === 'and' || op === 'or') {
    const isAnd = op === 'and';
    // The interpreter's try block covers the right side too: its errors take this operator's mark.
    return (input, env) => {
      const left = lhs(input, env);
      try {
        return isAnd ? boolize(left) && boolize(rhs(input, env)) : boolize(left) || boolize(rhs(input, env));
      } catch (err) {
        throw marked(err, node);
      }
    };
  }
  const operation = Object.prototype.hasOwnProperty.call(OPERATIONS, op) ? OPERATIONS[op] : undefined;
  if (!operation) throw new Unsupported(`the ${op} operator`, node.position);
  return (input, env) => {
    const left = lhs(input, env);
    const right = rhs(input, env);
    try {
      return operation(left, right);
    } catch (err) {
      throw marked(err, node);
    }
  };
}

/**
 * Compile unary minus.
 * @param node - the node
 * @param c - the compiler
 */
export function compileNegation(node: AstNode, c: Compiler): Evaluator {
  const operand = c.compile(node.expression as AstNode);
  return (input, env) => {
    const v = operand(input, env);
    if (v === undefined) return undefined;
    if (isNumeric(v)) return -v;
    raise('D1002', { position: node.position, token: node.value as string, value: v });
  };
}
