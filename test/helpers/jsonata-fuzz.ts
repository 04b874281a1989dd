/**
 * Seeded random JSONata expressions over the compiled subset (paths with filters and order-by,
 * constructors, operators, conditions, blocks with bindings, lambdas, the subset's built-ins), for
 * the differential test of the compiler beyond the bundled mappings: a deployment's own mapping in
 * MAPPINGS_DIR is compiled too when it stays within the subset.
 */
import { mulberry32 } from '../../src/registry/matching';

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

const NAMES = ['a', 'b', 'c', 'k', 'v', 'items'];
const LITERALS = ['0', '1', '2', '-1', '1.5', '"a"', '""', '"x y"', '"1"', 'true', 'false', 'null', '[]', '{}'];
const BINARY = ['=', '!=', '<', '<=', '>', '>=', '+', '-', '*', '&', 'and', 'or', 'in'];
const UNARY_FUNCTIONS = ['exists', 'not', 'boolean', 'string', 'number', 'count', 'type', 'length', 'trim', 'lowercase', 'uppercase', 'encodeUrlComponent'];
const BINARY_FUNCTIONS = ['contains', 'substringBefore', 'substringAfter', 'lookup', 'join', 'substring'];

/** Generates one expression; `vars` are the variables bound where it stands. */
class ExpressionGenerator {
  constructor(private readonly rand: Rand) {}

  expr(depth: number, vars: string[]): string {
    const r = this.rand();
    if (depth <= 0 || r < 0.15) return this.leaf(vars);
    if (r < 0.35) return this.path(depth, vars);
    if (r < 0.47) return `${this.expr(depth - 1, vars)} ${pick(this.rand, BINARY)} ${this.expr(depth - 1, vars)}`;
    if (r < 0.57) return this.call(depth, vars);
    if (r < 0.64) return `(${this.expr(depth - 1, vars)} ? ${this.expr(depth - 1, vars)}${this.rand() < 0.6 ? ` : ${this.expr(depth - 1, vars)}` : ''})`;
    if (r < 0.72) return `[${this.list(depth, vars)}]`;
    if (r < 0.8) return this.object(depth, vars);
    if (r < 0.9) return this.block(depth, vars);
    if (r < 0.95) return `(${this.expr(depth - 1, vars)})[${this.predicate(depth, vars)}]`;
    return `-(${this.expr(depth - 1, vars)})`;
  }

  private leaf(vars: string[]): string {
    const r = this.rand();
    if (r < 0.4) return pick(this.rand, NAMES);
    if (r < 0.5) return pick(this.rand, ['$', '$$']);
    if (r < 0.65 && vars.length > 0) return `$${pick(this.rand, vars)}`;
    return pick(this.rand, LITERALS);
  }

  private list(depth: number, vars: string[]): string {
    return Array.from({ length: Math.floor(this.rand() * 4) }, () => this.expr(depth - 1, vars)).join(', ');
  }

  private predicate(depth: number, vars: string[]): string {
    return this.rand() < 0.4 ? pick(this.rand, ['0', '1', '-1', '[0, 1]']) : this.expr(depth - 1, vars);
  }

  private path(depth: number, vars: string[]): string {
    let p = this.rand() < 0.2 && vars.length > 0 ? `$${pick(this.rand, vars)}` : pick(this.rand, NAMES);
    for (let steps = 1 + Math.floor(this.rand() * 3); steps > 0; steps--) {
      const r = this.rand();
      if (r < 0.45) p += `.${pick(this.rand, NAMES)}`;
      else if (r < 0.6) p += `[${this.predicate(depth, vars)}]`;
      else if (r < 0.7) p += `.(${this.expr(depth - 1, vars)})`;
      else if (r < 0.78) p += `.${this.object(depth, vars)}`;
      else if (r < 0.85) p += `.[${this.list(depth, vars)}]`;
      else p += `^(${this.rand() < 0.3 ? '>' : ''}${pick(this.rand, NAMES)})`;
    }
    return this.rand() < 0.1 ? `[${this.list(depth, vars)}].${p}` : p;
  }

  private call(depth: number, vars: string[]): string {
    const lambdas = vars.filter((v) => v.startsWith('f'));
    if (lambdas.length > 0 && this.rand() < 0.3) return `$${pick(this.rand, lambdas)}(${this.list(depth, vars)})`;
    if (this.rand() < 0.1) return `$contains(${this.expr(depth - 1, vars)}, /${pick(this.rand, ['a', '^x', '[0-9]+', 'b$'])}/${pick(this.rand, ['', 'i'])})`;
    if (this.rand() < 0.5) {
      const args = this.rand() < 0.15 ? '' : this.expr(depth - 1, vars);
      return `$${pick(this.rand, UNARY_FUNCTIONS)}(${args})`;
    }
    return `$${pick(this.rand, BINARY_FUNCTIONS)}(${this.expr(depth - 1, vars)}, ${this.expr(depth - 1, vars)})`;
  }

  private object(depth: number, vars: string[]): string {
    const pairs = Array.from({ length: Math.floor(this.rand() * 4) }, () => {
      const key = this.rand() < 0.8 ? `"${pick(this.rand, NAMES)}"` : this.expr(depth - 1, vars);
      return `${key}: ${this.expr(depth - 1, vars)}`;
    });
    return `{ ${pairs.join(', ')} }`;
  }

  private block(depth: number, vars: string[]): string {
    const scope = [...vars];
    const parts: string[] = [];
    for (let n = Math.floor(this.rand() * 3); n > 0; n--) {
      if (this.rand() < 0.3) {
        const name = `f${Math.floor(this.rand() * 2)}`;
        const params = ['p', 'q'].slice(0, 1 + Math.floor(this.rand() * 2));
        // Lambdas only see their parameters and what is bound so far: no recursion, so every case ends.
        parts.push(`$${name} := function(${params.map((x) => `$${x}`).join(', ')}) { ${this.expr(depth - 1, [...scope.filter((v) => !v.startsWith('f')), ...params])} }`);
        scope.push(name);
      } else {
        const name = pick(this.rand, ['x', 'y']);
        parts.push(`$${name} := ${this.expr(depth - 1, scope)}`);
        scope.push(name);
      }
    }
    parts.push(this.expr(depth - 1, scope));
    return `(${parts.join('; ')})`;
  }
}

/**
 * `n` seeded random expressions of at most `depth` levels.
 * @param seed - 32-bit seed
 * @param n - how many
 * @param depth - nesting depth
 */
export function randomExpressions(seed: number, n: number, depth = 4): string[] {
  const generator = new ExpressionGenerator(mulberry32(seed));
  return Array.from({ length: n }, () => generator.expr(depth, []));
}
