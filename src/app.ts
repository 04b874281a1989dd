/**
 * The composition root: the only file that knows concrete classes. Building the app opens nothing;
 * `start()` connects to MongoDB and Kafka (retrying in the background, so a dependency that is down
 * leaves the mediator running with /ready = 503) and starts listening; `stop()` drains and closes.
 */
import type { Db } from 'mongodb';
import type { Server } from '@hapi/hapi';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from './config';
import { createLogger } from './core/logger';
import type { Logger } from './core/logger';
import { retryForever } from './core/retry';
import type { EventPublisher } from './events/ports';
import type { OutboxRelay } from './events/relay';
import { buildEventsModule, ingestTopics } from './events-module';
import { buildIngestModule } from './ingest-module';
import { compositeOutbox } from './events/composite-outbox';
import { acceptedBundleEvent } from './events/accepted-bundle';
import { MemoryEventQueue } from './events/memory-queue';
import { MongoEventQueue } from './storage/mongo-event-queue';
import { MemoryAuditStore } from './audit/memory';
import { MongoAuditStore } from './audit/mongo';
import { MemoryPractitionerStore } from './fhir/practitioner-memory';
import { MongoPractitionerStore } from './practitioners/mongo-store';
import { auditPlugin } from './audit/plugin';
import type { AuditStore } from './audit/ports';
import { AuditWriter } from './audit/writer';
import { fhirPlugin } from './fhir/plugin';
import { MemoryClientStore } from './http/auth/clients';
import type { ClientStore } from './http/auth/clients';
import { MongoClientStore } from './http/auth/mongo-clients';
import { authPlugin } from './http/auth/plugin';
import { createAuthOptions } from './http/auth/setup';
import { mpiApiPlugin } from './mpi-api/plugin';
import { errorMapperPlugin } from './http/errors';
import { MediatorError } from './core/errors';
import { healthPlugin } from './http/health';
import { requestContextPlugin } from './http/request-context';
import { createServer } from './http/server';
import { buildRegistryModule } from './registry-module';
import { bundledTerminologyDir, loadTerminology } from './terminology/load';
import { createTerminologyService } from './terminology/service';
import type { RegistryModule } from './registry-module';
import { join } from 'node:path';
import { version } from '../package.json';
import { createMongoClient } from './storage/mongo-client';

export interface App {
  server: Server;
  config: Config;
  logger: Logger;
  registry: RegistryModule;
  publisher: EventPublisher;
  relay: OutboxRelay;
  audit: { store: AuditStore; writer: AuditWriter };
  clients: ClientStore;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Replaceable parts, for tests (memory twins) and tools (the evaluation CLI). */
export interface AppOverrides {
  logger?: Logger;
  publisher?: EventPublisher;
  registry?: RegistryModule;
  /** Do not bind a port in start() (tests drive the server with inject). */
  listen?: boolean;
  clients?: ClientStore;
  audit?: AuditStore;
}

function buildMetrics(): { registry: Registry; requests: Counter<'method' | 'route' | 'status'>; durations: Histogram<'method' | 'route'> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'passerelle_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
  const durations = new Histogram({ name: 'passerelle_http_request_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });
  return { registry, requests, durations };
}

/**
 * Build every part of Passerelle from validated configuration.
 * @param config - the validated configuration
 * @param overrides - memory twins or pre-built parts (tests, tools)
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.env.LOG_LEVEL);
  const mongo = overrides.registry ? null : createMongoClient(config.env.MONGODB_URI ?? '', { serverSelectionTimeoutMS: 2000, appName: config.env.INSTANCE_ID });
  const db: Db | null = mongo ? mongo.db(config.env.MONGODB_DB) : null;
  const registry = overrides.registry ?? buildRegistryModule({ config, logger, db });
  const metrics = buildMetrics();
  // Health workers (filled by the iHRIS channel); memory only with the registry's memory twin.
  const practitioners = db ? new MongoPractitionerStore(db, 'practitioners', config.env.INSTANCE_ID) : new MemoryPractitionerStore(config.env.INSTANCE_ID);
  // Accepted Bundles for the optional Instant OpenHIE `2xx` topic wait in their own queue.
  const bundleQueue = config.env.KAFKA_PUBLISH_2XX ? (db ? new MongoEventQueue(db) : new MemoryEventQueue()) : null;
  const outbox = compositeOutbox([registry.outbox, practitioners.outbox, ...(bundleQueue ? [bundleQueue] : [])]);
  const events = buildEventsModule({ config, logger, outbox, metrics: metrics.registry, ...(overrides.publisher ? { publisher: overrides.publisher } : {}) });
  const { publisher, relay } = events;
  // Publish a change's events as soon as it is applied, not at the next poll.
  registry.onApplied(() => relay.nudge());
  // Inbound Kafka ingest (off by default).
  const ingest = buildIngestModule({ config, logger, registry: registry.service, metrics: metrics.registry, topics: ingestTopics(config) });
  const server = createServer(config);
  const clients = overrides.clients ?? (db ? new MongoClientStore(db) : new MemoryClientStore());
  const auditStore = overrides.audit ?? (db ? new MongoAuditStore(db) : new MemoryAuditStore());
  const auditWriter = new AuditWriter({ store: auditStore, logger });
  let stopping = false;
  // Not ready before the indexes exist: the unique ones enforce the registry's invariants (the
  // in-memory twin has nothing to build).
  let storesReady = !db;
  const lifetime = new AbortController();

  await server.register([
    { plugin: requestContextPlugin, options: { logger, requests: metrics.requests, durations: metrics.durations } },
    { plugin: errorMapperPlugin, options: { logger, skipPrefixes: ['/mpi', '/fhir'] } },
    {
      plugin: healthPlugin,
      options: {
        version, metrics: metrics.registry, isStopping: () => stopping,
        checks: [
          { name: 'mongodb', check: async () => storesReady && (await registry.ping()) },
          events.readiness,
        ],
      },
    },
  ]);
  // Until the stores are ready (indexes built, interrupted changes recovered) the APIs answer 503
  // with Retry-After rather than write without the unique indexes that guard the registry.
  server.ext('onPreAuth', (request, h) => {
    if (storesReady || !/^\/(fhir|mpi)(\/|$)/.test(request.path)) return h.continue;
    throw new MediatorError('unavailable', 'Passerelle is starting: its database is not ready yet', { retryAfterSeconds: 5 });
  });
  const terminology = createTerminologyService(loadTerminology([
    bundledTerminologyDir(),
    ...(config.env.MAPPINGS_DIR ? [join(config.env.MAPPINGS_DIR, 'terminology')] : []),
  ]));
  await server.register([
    { plugin: authPlugin, options: await createAuthOptions({ config, logger, clients }) },
    { plugin: auditPlugin, options: { store: auditStore, logger, baseUrl: config.publicBaseUrl, writer: auditWriter } },
    {
      plugin: fhirPlugin,
      options: {
        registry: registry.service, practitioners, terminology, baseUrl: `${config.publicBaseUrl}/fhir`, identifierSystems: ['urn:passerelle:mpi-id'], logger,
        ...(bundleQueue ? { bundleAccepted: async (bundle: object, actor: { transactionId?: string }) => {
          // The identities are already committed: a failure here loses only the compatibility copy, loudly.
          await bundleQueue.enqueue(acceptedBundleEvent(bundle, actor.transactionId)).then(() => relay.nudge(), (err: unknown) => logger.error({ err }, 'accepted Bundle not queued for the 2xx topic'));
        } } : {}),
      },
    },
    { plugin: mpiApiPlugin, options: { registry: registry.service, logger, version, baseUrl: config.publicBaseUrl } },
  ]);

  async function start(): Promise<void> {
    void retryForever('mongodb', async () => {
      await registry.init();
      if (auditStore instanceof MongoAuditStore) await auditStore.init();
      if (practitioners instanceof MongoPractitionerStore) await practitioners.init();
      if (bundleQueue instanceof MongoEventQueue) await bundleQueue.init();
      storesReady = true;
    }, { logger, signal: lifetime.signal });
    void retryForever('kafka', () => publisher.connect(), { logger, signal: lifetime.signal }).then((ok) => {
      if (ok) relay.start();
    });
    // Ingest writes through the registry: only once its indexes exist (as the APIs wait for).
    if (ingest) {
      void retryForever('kafka-ingest', async () => {
        if (!storesReady) throw new Error('the database is not ready yet');
        await ingest.start();
      }, { logger, signal: lifetime.signal });
    }
    if (overrides.listen === false) {
      await server.initialize();
      return;
    }
    await listen(server, config);
    logger.info({ uri: server.info.uri, version }, 'Passerelle listening');
  }

  async function stop(): Promise<void> {
    stopping = true;
    // Stop taking requests and let in-flight ones finish, then flush events and close connections.
    await server.stop({ timeout: config.env.SHUTDOWN_GRACE_MS });
    lifetime.abort();
    await ingest?.stop();
    await relay.stop();
    await Promise.allSettled([publisher.disconnect(), registry.close(), mongo?.close()]);
    logger.info('Passerelle stopped');
  }

  return { server, config, logger, registry, publisher, relay, audit: { store: auditStore, writer: auditWriter }, clients, start, stop };
}

async function listen(server: Server, config: Config): Promise<void> {
  try {
    await server.start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${config.env.PORT} on ${config.env.HOST} is already in use; set PORT to a free port.`);
    }
    throw err;
  }
}
