/**
 * Identify a request by OpenHIM's client id (`X-OpenHIM-ClientID`) — only when the deployment turned
 * it on and the request proves it came through OpenHIM: the shared secret, or a mutual-TLS peer
 * certificate from an allowed subject. The client id must also be registered (authMethod `openhim`);
 * its scopes come from that registration.
 *
 * Core's routes cannot add headers; what they can send is Basic auth (a route's `username` and
 * `password`). So the secret is accepted as the Basic password of the route, or in the secret header
 * from a proxy that sets it. A request Core routes without a client of its own (a polling channel's
 * run, a public channel) acts as the client the route's username names.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Request } from '@hapi/hapi';
import type { ClientStore } from './clients';
import type { Principal } from './types';

export const OPENHIM_CLIENT_HEADER = 'x-openhim-clientid';
export const OPENHIM_SECRET_HEADER = 'x-passerelle-openhim-secret';

export interface OpenhimTrustOptions {
  clients: ClientStore;
  /** OPENHIM_SHARED_SECRET: the value of the secret header set on the OpenHIM channel route. */
  sharedSecret?: string;
  /** Subject CNs of OpenHIM's client certificate, when OpenHIM connects with mutual TLS. */
  trustedCertSubjects?: string[];
}

function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The username and password of a Basic Authorization header, if that is what it holds.
 * @param header - the Authorization header
 */
function routeCredentials(header: string): { username: string; password: string } | null {
  const m = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : null;
}

function provenByTls(request: Request, subjects: string[]): boolean {
  const socket = request.raw.req.socket as Partial<TLSSocket>;
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return false;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && subjects.includes(cn);
}

/**
 * The principal of a request that came through OpenHIM; null when it carries no OpenHIM client id
 * or cannot prove its origin.
 * @param request - the hapi request
 * @param opts - trust settings and the client store
 */
export async function openhimPrincipal(request: Request, opts: OpenhimTrustOptions): Promise<Principal | null> {
  const authorization: unknown = request.headers.authorization;
  const route = typeof authorization === 'string' ? routeCredentials(authorization) : null;
  const clientId = request.headers[OPENHIM_CLIENT_HEADER] ?? route?.username;
  if (typeof clientId !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(clientId)) return null;
  const secret = request.headers[OPENHIM_SECRET_HEADER] ?? route?.password;
  const proven = (opts.sharedSecret !== undefined && typeof secret === 'string' && sameSecret(secret, opts.sharedSecret))
    || (opts.trustedCertSubjects !== undefined && provenByTls(request, opts.trustedCertSubjects));
  if (!proven) return null;
  const client = await opts.clients.get(clientId);
  if (!client || client.status !== 'active' || client.authMethod !== 'openhim') return null;
  return { clientId, scopes: client.scopes, via: 'openhim' };
}
