/**
 * The MPI API's route table: each route is data (method, path, scope, zod schemas, responses) plus a
 * small handler. The same table registers the hapi routes and generates the OpenAPI document.
 */
import type { Request, ResponseObject, ResponseToolkit, RouteOptions, ServerRoute } from '@hapi/hapi';
import type { z } from 'zod';
import { MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import type { Logger } from '../core/logger';
import type { RegistryService } from '../registry/api';
import { actorOf } from '../http/request-context';
import type { Scope } from '../http/auth/types';

/** What MPI handlers depend on. */
export interface MpiDeps {
  registry: RegistryService;
  /** Short identifier type names (external_ids keys, `program`) → identifier system URIs. */
  identifierSystems: Record<string, string>;
  logger: Logger;
}

/** A handler's answer; the adapter turns it into a hapi response. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  request: Request;
  deps: MpiDeps;
}

/** One documented response of a route. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

/** A route of the MPI API. */
export interface MpiRoute<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  security: { scope: Scope } | { public: true };
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  responses: Record<number, ResponseSpec>;
  /** Audit operation name (defaults to the operationId). */
  audit?: string | false;
  /** How hapi reads the body, when not the default (JSON up to 64 KB): e.g. raw bytes of any type for channel pushes. */
  payload?: RouteOptions['payload'];
  handler(input: HandlerInput<P, Q, B>): Promise<Reply>;
}

/**
 * Declare a route with typed handler input inferred from its schemas.
 * @param route - the route
 */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(route: MpiRoute<P, Q, B>): MpiRoute {
  return route;
}

const SAFE_KEY = /^[A-Za-z0-9_]{1,40}$/;

function issuesOf(error: z.ZodError): Array<{ path: string; code: string }> {
  return error.issues.slice(0, 20).flatMap((i) => {
    const base = i.path.map((p) => (typeof p === 'string' && SAFE_KEY.test(p) ? p : typeof p === 'number' ? String(p) : '?'));
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: [...base, SAFE_KEY.test(k) ? k : '?'].join('.'), code: 'unknown_field' }));
    return [{ path: base.join('.') || '(root)', code: i.code }];
  });
}

/**
 * Validate one part of a request; values are never echoed back.
 * @param schema - the zod schema
 * @param value - the raw value
 * @param where - `path`, `query` or `body`
 */
export function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) {
    const empty = value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0);
    if (!empty) throw new MediatorError('invalid', `This operation takes no ${where} parameters`);
    return undefined as T;
  }
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const errors = issuesOf(result.error).map((e) => ({ ...e, path: `${where}.${e.path}` }));
  throw new MediatorError('invalid', `Invalid ${where}: ${errors.map((e) => e.path).join(', ')}`, { errors });
}

function toResponse(h: ResponseToolkit, reply: Reply): ResponseObject {
  const r = (reply.body === undefined ? h.response() : h.response(reply.body as object)).code(reply.status ?? 200);
  // Identities change with every decision: no browser or proxy may keep a copy that could go stale.
  r.header('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(reply.headers ?? {})) r.header(k, v);
  return r;
}

/**
 * The hapi route for a table entry.
 * @param route - the table entry
 * @param deps - handler dependencies
 */
export function toServerRoute(route: MpiRoute, deps: MpiDeps): ServerRoute {
  const options: RouteOptions = {
    plugins: { passerelle: { ...route.security, audit: route.audit ?? route.operationId } },
    ...(route.payload ? { payload: route.payload } : route.method === 'POST' || route.method === 'PATCH'
      ? { payload: { allow: 'application/json', maxBytes: 64 * 1024, failAction: 'error' } }
      : {}),
  };
  return {
    method: route.method,
    path: route.path,
    options,
    handler: async (request, h) => {
      const params = parsePart(route.params, request.params, 'path');
      const query = parsePart(route.query, request.query, 'query');
      // An unparsed payload (raw bytes) is the handler's to read.
      const body = route.payload?.parse === false ? request.payload : parsePart(route.body, request.payload, 'body');
      return toResponse(h, await route.handler({ params, query, body, request, actor: actorOf(request), deps }));
    },
  };
}
