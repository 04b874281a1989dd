/**
 * Registered machine clients of the token endpoint. Secrets are stored hashed; `private_key_jwt`
 * clients register a public JWKS; `openhim` clients are OpenHIM client ids that the deployment
 * trusts when a request proves it came through OpenHIM.
 */
import type { JSONWebKeySet } from 'jose';
import { MediatorError } from '../../core/errors';

export type ClientAuthMethod = 'client_secret' | 'private_key_jwt' | 'openhim';

/** One registered client. */
export interface ClientRecord {
  clientId: string;
  name: string;
  authMethod: ClientAuthMethod;
  scopes: string[];
  /** scrypt hash of the secret (client_secret clients only). */
  secretHash?: string;
  /** Public keys of a private_key_jwt client. */
  jwks?: JSONWebKeySet;
  status: 'active' | 'revoked';
  /** Requests per minute for this client (overrides the default). */
  rateLimitPerMinute?: number;
  createdAt: string;
  revokedAt?: string;
}

/** Storage of clients (memory twin below, MongoDB in mongo-clients.ts). */
export interface ClientStore {
  get(clientId: string): Promise<ClientRecord | null>;
  /** Insert a new client; throws MediatorError('conflict') when the id is taken. */
  create(client: ClientRecord): Promise<void>;
  list(): Promise<ClientRecord[]>;
  /** Mark a client revoked; false when unknown. */
  revoke(clientId: string, at: string): Promise<boolean>;
}

/** In-memory client store (tests, development). */
export class MemoryClientStore implements ClientStore {
  private readonly clients = new Map<string, ClientRecord>();

  /**
   * @param initial - clients to start with
   */
  constructor(initial: ClientRecord[] = []) {
    for (const c of initial) this.clients.set(c.clientId, structuredClone(c));
  }

  /** @param clientId - the client id */
  async get(clientId: string): Promise<ClientRecord | null> {
    const c = this.clients.get(clientId);
    return c ? structuredClone(c) : null;
  }

  /** @param client - the new client */
  async create(client: ClientRecord): Promise<void> {
    if (this.clients.has(client.clientId)) {
      throw new MediatorError('conflict', 'A client with this id already exists');
    }
    this.clients.set(client.clientId, structuredClone(client));
  }

  async list(): Promise<ClientRecord[]> {
    return [...this.clients.values()].map((c) => structuredClone(c));
  }

  /**
   * @param clientId - the client to revoke
   * @param at - revocation time
   */
  async revoke(clientId: string, at: string): Promise<boolean> {
    const c = this.clients.get(clientId);
    if (!c) return false;
    c.status = 'revoked';
    c.revokedAt = at;
    return true;
  }
}
