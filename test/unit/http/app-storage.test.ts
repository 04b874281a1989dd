/**
 * What the caller injects into createApp is exactly what changes: `storage: 'memory'` puts every store
 * in memory; a store passed on its own replaces that store only, the others stay in MongoDB.
 * Building the app opens no connection, so this runs without a database.
 */
import { createApp } from '../../../src/app';
import type { App, AppOverrides } from '../../../src/app';
import { MemoryAuditStore } from '../../../src/audit/memory';
import { MongoAuditStore } from '../../../src/audit/mongo';
import { InMemoryEventPublisher } from '../../../src/events/memory';
import { MemoryClientStore } from '../../../src/http/auth/clients';
import { MongoClientStore } from '../../../src/http/auth/mongo-clients';
import { MemoryPractitionerStore } from '../../../src/practitioners/memory-store';
import { MongoPractitionerStore } from '../../../src/practitioners/mongo-store';
import { buildRegistryModule } from '../../../src/registry-module';
import { testConfig } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';

// A database that is never reached: nothing here connects.
const config = testConfig({ MONGODB_URI: 'mongodb://127.0.0.1:9/?directConnection=true' });

async function build(overrides: AppOverrides): Promise<App> {
  return createApp(config, { logger: memoryLogger().logger, publisher: new InMemoryEventPublisher(), listen: false, ...overrides });
}

function kinds(app: App): Record<string, string> {
  return { clients: app.clients.constructor.name, audit: app.audit.store.constructor.name, practitioners: app.practitioners.constructor.name };
}

describe('createApp storage', () => {
  const apps: App[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
  });

  test("storage: 'memory' puts every store in memory", async () => {
    const app = await build({ storage: 'memory' });
    apps.push(app);
    expect(kinds(app)).toEqual({ clients: MemoryClientStore.name, audit: MemoryAuditStore.name, practitioners: MemoryPractitionerStore.name });
    expect(await app.registry.ping()).toBe(true);
  });

  test('an injected registry replaces the registry only: the other stores stay in MongoDB', async () => {
    const registry = buildRegistryModule({ config, logger: memoryLogger().logger, db: null });
    const app = await build({ registry });
    apps.push(app);
    expect(app.registry).toBe(registry);
    expect(kinds(app)).toEqual({ clients: MongoClientStore.name, audit: MongoAuditStore.name, practitioners: MongoPractitionerStore.name });
  });

  test('each injected store is used as given, beside MongoDB for the rest', async () => {
    const clients = new MemoryClientStore();
    const practitioners = new MemoryPractitionerStore();
    const app = await build({ clients, practitioners });
    apps.push(app);
    expect(app.clients).toBe(clients);
    expect(app.practitioners).toBe(practitioners);
    expect(app.audit.store).toBeInstanceOf(MongoAuditStore);
  });

  test('the FHIR API reads the practitioners the caller passed', async () => {
    const practitioners = new MemoryPractitionerStore();
    await practitioners.upsert({ resourceType: 'Practitioner', id: 'hw-1', name: [{ family: 'Sarr' }] });
    const app = await build({ storage: 'memory', practitioners });
    apps.push(app);
    await app.start();
    const res = await app.server.inject('/fhir/Practitioner/hw-1');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.payload)).toMatchObject({ resourceType: 'Practitioner', id: 'hw-1' });
  });
});
