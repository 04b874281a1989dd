/**
 * The OpenAPI 3.1 document of the MPI API, generated from the route table (zod → JSON Schema with
 * `z.toJSONSchema`), so the document cannot drift from what the routes accept and return.
 */
import { z } from 'zod';
import type { MpiRoute, ResponseSpec } from './route-table';
import { problem } from './schemas';
import { problemCatalogue } from './problem';

type Json = Record<string, unknown>;

interface Converter {
  components: Record<string, Json>;
  schema(s: z.ZodType, io: 'input' | 'output'): Json;
}

function converter(): Converter {
  const components: Record<string, Json> = {};
  const relink = (v: unknown): Json => JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  return {
    components,
    schema(s, io) {
      const { $schema: _s, $defs, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json & { $defs?: Record<string, Json> };
      for (const [id, def] of Object.entries($defs ?? {})) components[id] ??= relink(def);
      return relink(rest);
    },
  };
}

function parameters(route: MpiRoute, c: Converter): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = c.schema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s, ...(typeof s.description === 'string' ? { description: s.description } : {}) });
    }
  }
  return out;
}

function responses(route: MpiRoute, c: Converter): Json {
  const out: Json = {};
  const all: Record<number, ResponseSpec> = { ...route.responses };
  all[400] ??= { description: 'Invalid request' };
  if ('scope' in route.security) Object.assign(all, { 401: { description: 'Missing or invalid access token' }, 403: { description: `Requires scope ${route.security.scope}` } });
  all[429] ??= { description: 'Rate limit exceeded (see Retry-After)' };
  for (const [status, spec] of Object.entries(all)) {
    const isError = Number(status) >= 400;
    const schema = spec.schema ?? (isError ? problem : undefined);
    const type = spec.contentType ?? (isError ? 'application/problem+json' : 'application/json');
    out[status] = { description: spec.description, ...(schema ? { content: { [type]: { schema: c.schema(schema, 'output') } } } : {}) };
  }
  return out;
}

function operation(route: MpiRoute, c: Converter): Json {
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    security: 'scope' in route.security ? [{ bearer: [route.security.scope] }] : [],
    ...(route.params || route.query ? { parameters: parameters(route, c) } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: c.schema(route.body, 'input') } } } } : {}),
    responses: responses(route, c),
    ...('scope' in route.security ? { 'x-required-scope': route.security.scope } : { 'x-public': true }),
  };
}

/**
 * Build the OpenAPI document.
 * @param routes - the MPI route table
 * @param info - title, version and the public base URL
 */
export function buildOpenApi(routes: MpiRoute[], info: { version: string; baseUrl: string }): Json {
  const c = converter();
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Json)[route.method.toLowerCase()] = operation(route, c);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Passerelle MPI API', version: info.version,
      description: 'Master patient index REST API. Errors are application/problem+json (RFC 9457); `type` is stable per error.',
    },
    servers: [{ url: info.baseUrl }],
    paths,
    components: {
      schemas: c.components,
      securitySchemes: {
        bearer: { type: 'oauth2', description: 'Bearer JWT; get one with client_credentials', flows: { clientCredentials: { tokenUrl: `${info.baseUrl}/oauth2/token`, scopes: { 'system/Patient.read': 'Read identities', 'system/Patient.write': 'Register and edit identities', 'mpi/review': 'Review queue, merge, unmerge', 'mpi/admin': 'Audit trail' } } } },
      },
    },
    'x-problem-types': problemCatalogue(),
  };
}
