/**
 * Whether a function value made by the compiled code (a lambda, a regex matcher, a wrapped argument,
 * a built-in or registered function taken as a value) can end up in a mapping's result. Such a value
 * is not the interpreter's object, so a result holding one is handed to the interpreter; this static
 * check spares the walk over every result of the mappings where it cannot happen (walking a Patient
 * costs more than a tenth of its compiled evaluation). Conservative: "maybe" when unsure.
 */
import type { AstNode } from './ast';
import { BUILTIN_NAMES } from './builtins';

/** Where each name is bound in the mapping: the right sides of its `:=`, or a lambda parameter. */
interface Bindings {
  rhs: Map<string, AstNode[]>;
  params: Set<string>;
}

function collect(node: unknown, into: Bindings): Bindings {
  if (Array.isArray(node)) node.forEach((n) => collect(n, into));
  else if (node !== null && typeof node === 'object' && !(node instanceof RegExp)) {
    const n = node as AstNode;
    if (n.type === 'bind') {
      const name = (n.lhs as AstNode).value as string;
      into.rhs.set(name, [...(into.rhs.get(name) ?? []), n.rhs as AstNode]);
    }
    if (n.type === 'lambda' && !n.thunk) (n.arguments ?? []).forEach((a) => into.params.add(a.value as string));
    for (const [key, value] of Object.entries(n)) if (key !== 'signature') collect(value, into);
  }
  return into;
}

/** The subset's built-ins that can give back a value from their arguments ($lookup's first). */
const PASSES_ARGUMENT: Record<string, number> = { lookup: 0 };

class EscapeAnalysis {
  private readonly inProgress = new Set<string>();

  constructor(private readonly bindings: Bindings) {}

  /** A variable's value may be a compiled function value. */
  private variable(name: string): boolean {
    if (name === '' || name === '$') return false;
    if (this.bindings.params.has(name)) return true;
    const bound = this.bindings.rhs.get(name);
    if (!bound) return BUILTIN_NAMES.has(name) || this.registered.has(name);
    // A binding that refers to itself adds nothing the other bindings do not (least fixpoint).
    if (this.inProgress.has(name)) return false;
    this.inProgress.add(name);
    try {
      return bound.some((rhs) => this.may(rhs)) || BUILTIN_NAMES.has(name) || this.registered.has(name);
    } finally {
      this.inProgress.delete(name);
    }
  }

  /** A call's result may hold one: a lambda's body, a passing built-in's argument, a registered function's arguments. */
  private call(node: AstNode): boolean {
    const name = (node.procedure as AstNode).value as string;
    const args = node.arguments ?? [];
    if (this.bindings.params.has(name)) return true;
    const bound = this.bindings.rhs.get(name);
    if (bound) return bound.some((rhs) => rhs.type !== 'lambda' || this.may(rhs.body as AstNode)) || args.some((a) => this.may(a));
    if (BUILTIN_NAMES.has(name) && !this.registered.has(name)) {
      const passed = PASSES_ARGUMENT[name];
      return passed !== undefined && args[passed] !== undefined && this.may(args[passed]);
    }
    return args.some((a) => this.may(a));
  }

  registered: ReadonlySet<string> = new Set();

  may(node: AstNode): boolean {
    switch (node.type) {
      case 'regex': return true;
      case 'lambda': return node.thunk ? this.call(node.body as AstNode) : true;
      case 'variable': return this.variable(node.value as string);
      case 'function': return this.call(node);
      case 'path': return (node.steps ?? []).some((s) => s.type !== 'name' && s.type !== 'sort' && this.may(s));
      case 'condition': return this.may(node.then as AstNode) || (node.else !== undefined && this.may(node.else));
      case 'block': return (node.expressions ?? []).length > 0 && this.may((node.expressions ?? [])[(node.expressions ?? []).length - 1] as AstNode);
      case 'bind': return this.may(node.rhs as AstNode);
      case 'unary':
        if (node.value === '[') return (node.expressions ?? []).some((e) => this.may(e));
        if (node.value === '{') return ((node.lhs ?? []) as Array<[AstNode, AstNode]>).some(([, v]) => this.may(v));
        return false;
      default: return false;
    }
  }
}

/**
 * True unless the mapping's result certainly holds no function value made by the compiled code.
 * @param ast - the mapping's processed tree (already compiled, so within the subset)
 * @param registered - names of the registered (custom) functions
 */
export function mayReturnFunctions(ast: AstNode, registered: ReadonlySet<string>): boolean {
  const analysis = new EscapeAnalysis(collect(ast, { rhs: new Map(), params: new Set() }));
  analysis.registered = registered;
  return analysis.may(ast);
}
