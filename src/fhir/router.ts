/**
 * The FHIR route table: method + path template → handler, with the scope each route needs and the
 * CapabilityStatement entry it contributes. The hapi adapter registers every route; batch,
 * transaction and PMIR dispatch through `find()` so they run the very same handlers.
 */
import type { HttpMethod, FhirHandler } from './types';

/** A search parameter as documented in the CapabilityStatement. */
export interface SearchParamDoc {
  name: string;
  type: 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';
  documentation?: string;
}

/** What a route contributes to the CapabilityStatement. */
export type Capability =
  | { kind: 'interaction'; resource: string; code: 'read' | 'vread' | 'update' | 'patch' | 'delete' | 'history-instance' | 'history-type' | 'create' | 'search-type' }
  | { kind: 'search'; resource: string; params: SearchParamDoc[] }
  | { kind: 'conditional'; resource: string; code: 'conditionalUpdate' | 'conditionalDelete' | 'conditionalCreate' }
  | { kind: 'operation'; resource?: string; name: string; definition: string }
  | { kind: 'system'; code: 'transaction' | 'batch' | 'history-system' | 'search-system'; documentation?: string };

/** One route. `path` is relative to the base, with `:name` parameters (`Patient/:id/_history/:vid`). */
export interface FhirRoute {
  method: HttpMethod;
  path: string;
  handler: FhirHandler;
  /** SMART scope required; absent when `public`. */
  scope?: string;
  public?: boolean;
  capabilities?: Capability[];
}

/** A matched route with its path parameters. */
export interface RouteMatch {
  route: FhirRoute;
  params: Record<string, string>;
}

/** The route table. */
export class FhirRouter {
  readonly routes: FhirRoute[] = [];

  /**
   * Add a route.
   * @param route - the route definition
   */
  add(route: FhirRoute): this {
    this.routes.push(route);
    return this;
  }

  /**
   * Find the route for a method and a base-relative path; literal segments win over parameters.
   * @param method - HTTP method
   * @param path - path below the base, e.g. `Patient/123/_history/2`
   */
  find(method: HttpMethod, path: string): RouteMatch | undefined {
    const parts = splitPath(path);
    let best: { match: RouteMatch; literals: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method) {
        continue;
      }
      const m = matchTemplate(splitPath(route.path), parts);
      if (m && (!best || m.literals > best.literals)) {
        best = { match: { route, params: m.params }, literals: m.literals };
      }
    }
    return best?.match;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p.length > 0);
}

function matchTemplate(template: string[], parts: string[]): { params: Record<string, string>; literals: number } | undefined {
  if (template.length !== parts.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  let literals = 0;
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const p = parts[i] as string;
    if (t.startsWith(':')) {
      params[t.slice(1)] = safeDecode(p);
    } else if (t === p) {
      literals++;
    } else {
      return undefined;
    }
  }
  return { params, literals };
}

/**
 * The hapi path of a route template (`Patient/:id` → `/fhir/Patient/{id}`).
 * @param prefix - the API prefix, e.g. `/fhir`
 * @param path - the route template
 */
export function toHapiPath(prefix: string, path: string): string {
  const p = path.replace(/:([A-Za-z]+)/g, '{$1}');
  return p ? `${prefix}/${p}` : prefix;
}
