import { randomUUID } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { MongoAuditStore } from '../../../src/audit/mongo';
import type { AuditRecord } from '../../../src/audit/ports';
import { MongoClientStore } from '../../../src/http/auth/mongo-clients';
import { runClientsCli, runClientsTool } from '../../../src/cli/clients';
import { verifySecret } from '../../../src/http/auth/secrets';
import { createMongoClient } from '../../../src/storage/mongo-client';

const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/';

function rec(i: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: `r${i}-${randomUUID()}`, recorded: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), operation: 'mpi.read', action: 'R', outcome: '0', httpStatus: 200,
    method: 'GET', route: '/mpi/{mpi_id}', agent: { clientId: i % 2 ? 'odd' : 'even', ...(i === 2 ? { userId: 'nurse' } : {}) }, mpiIds: [`M${i}`], sourceIds: i === 3 ? ['urn:dhis2|x'] : [], ...over,
  };
}

describe('Mongo-backed audit and client stores (FerretDB)', () => {
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    client = createMongoClient(uri);
    await client.connect();
    db = client.db(`passerelle_sec_${randomUUID().slice(0, 8)}`);
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  test('audit: append is idempotent; search by date, agent, entity, newest first, paged', async () => {
    const store = new MongoAuditStore(db);
    await store.init();
    await store.init(); // a restart runs it again: must not fail on existing indexes
    const records = [1, 2, 3, 4].map((i) => rec(i));
    await store.append(records);
    await store.append([records[0] as AuditRecord, rec(5)]);
    expect((await store.search({ offset: 0, count: 10 })).total).toBe(5);
    const page = await store.search({ offset: 1, count: 2 });
    expect(page.items.map((r) => r.mpiIds[0])).toEqual(['M4', 'M3']);
    expect((await store.search({ agent: 'odd', offset: 0, count: 10 })).total).toBe(3);
    expect((await store.search({ agent: 'nurse', offset: 0, count: 10 })).total).toBe(1);
    expect((await store.search({ entity: 'urn:dhis2|x', offset: 0, count: 10 })).items[0]?.mpiIds).toEqual(['M3']);
    expect((await store.search({ entity: 'M4', agent: 'even', offset: 0, count: 10 })).total).toBe(1);
    expect((await store.search({ from: '2026-01-01T00:02:00.000Z', to: '2026-01-01T00:04:00.000Z', offset: 0, count: 10 })).total).toBe(2);
  });

  test('clients: the CLI creates (secret hashed, shown once), lists and revokes; ids are unique', async () => {
    const store = new MongoClientStore(db);
    const out: string[] = [];
    expect(await runClientsCli(['create', '--id', 'lab-system', '--name', 'Lab', '--scopes', 'system/Patient.read mpi/review'], { store, out: (l) => out.push(l) })).toBe(0);
    const secret = /client_secret: (\S+)/.exec(out.join('\n'))?.[1] as string;
    const stored = await store.get('lab-system');
    expect(stored).toMatchObject({ clientId: 'lab-system', authMethod: 'client_secret', status: 'active', scopes: ['system/Patient.read', 'mpi/review'] });
    expect(stored?.secretHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(await db.collection('oauth_clients').find({}).toArray())).not.toContain(secret);
    expect(await verifySecret(secret, stored?.secretHash as string)).toBe(true);
    expect(await runClientsCli(['create', '--id', 'lab-system', '--name', 'Again', '--scopes', 'mpi/review'], { store, out: (l) => out.push(l) })).toBe(1);
    const jwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] });
    expect(await runClientsCli(['create', '--id', 'pharmacy', '--name', 'Ph', '--scopes', 'system/Patient.read', '--method', 'private_key_jwt', '--jwks-file', 'x'], { store, out: (l) => out.push(l), readFile: () => jwks })).toBe(0);
    expect((await store.get('pharmacy'))?.jwks?.keys[0]?.kid).toBe('k1');
    expect(await runClientsCli(['create', '--id', 'bad', '--scopes', 'root'], { store, out: (l) => out.push(l) })).toBe(1);
    const listed: string[] = [];
    await runClientsCli(['list'], { store, out: (l) => listed.push(l) });
    expect(listed.join('\n')).not.toContain('scrypt');
    expect(listed).toHaveLength(2);
    expect(await runClientsCli(['revoke', '--id', 'lab-system'], { store, out: (l) => out.push(l) })).toBe(0);
    expect((await store.get('lab-system'))?.status).toBe('revoked');
  });

  test('clients tool: opens the database the environment names, through the mediator\'s loadConfig', async () => {
    const env = { NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'silent', MONGODB_URI: uri, MONGODB_DB: db.databaseName, KAFKA_BROKERS: '127.0.0.1:9' };
    const listed: string[] = [];
    expect(await runClientsTool(['list'], env, (l) => listed.push(l))).toBe(0);
    expect(listed.map((l) => l.split('\t')[0])).toEqual(['lab-system', 'pharmacy']);
    await expect(runClientsTool(['list'], { ...env, MONGODB_DB: 'not a name' }, () => undefined)).rejects.toThrow(/MONGODB_DB/);
    const usage: string[] = [];
    expect(await runClientsTool([], {}, (l) => usage.push(l))).toBe(0);
    expect(usage[0]).toMatch(/^usage: clients create/);
  });
});
