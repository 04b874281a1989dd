/**
 * MongoDB client store for the token endpoint and the clients CLI; `_id` = client id (unique).
 */
import type { Collection, Db } from 'mongodb';
import { MediatorError } from '../../core/errors';
import { isDuplicateKey } from '../../storage/errors';
import type { ClientRecord, ClientStore } from './clients';

type ClientDoc = Omit<ClientRecord, 'clientId' | 'jwks'> & { _id: string; jwks?: string };

// JWKS are stored as JSON text: key names such as `kty` are fine, but a JWKS may carry `x5c` arrays
// of arrays in some exports, which FerretDB rejects (no nested arrays).
function toDoc(c: ClientRecord): ClientDoc {
  const { clientId, jwks, ...rest } = c;
  return { _id: clientId, ...rest, ...(jwks ? { jwks: JSON.stringify(jwks) } : {}) };
}

function fromDoc(d: ClientDoc): ClientRecord {
  const { _id, jwks, ...rest } = d;
  return { clientId: _id, ...rest, ...(jwks ? { jwks: JSON.parse(jwks) as ClientRecord['jwks'] } : {}) };
}

/** Clients in a MongoDB collection. */
export class MongoClientStore implements ClientStore {
  private readonly col: Collection<ClientDoc>;

  /**
   * @param db - the database
   * @param collection - collection name
   */
  constructor(db: Db, collection = 'oauth_clients') {
    this.col = db.collection<ClientDoc>(collection);
  }

  /** @param clientId - the client id */
  async get(clientId: string): Promise<ClientRecord | null> {
    const d = await this.col.findOne({ _id: clientId });
    return d ? fromDoc(d) : null;
  }

  /** @param client - the new client */
  async create(client: ClientRecord): Promise<void> {
    try {
      await this.col.insertOne(toDoc(client));
    } catch (err) {
      if (isDuplicateKey(err)) throw new MediatorError('conflict', 'A client with this id already exists');
      throw err;
    }
  }

  async list(): Promise<ClientRecord[]> {
    return (await this.col.find({}).sort({ _id: 1 }).toArray()).map(fromDoc);
  }

  /**
   * @param clientId - the client to revoke
   * @param at - revocation time
   */
  async revoke(clientId: string, at: string): Promise<boolean> {
    const r = await this.col.updateOne({ _id: clientId }, { $set: { status: 'revoked', revokedAt: at } });
    return r.matchedCount === 1;
  }
}

