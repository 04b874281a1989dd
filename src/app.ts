/**
 * The composition root: the only file that knows concrete classes. Building the app opens nothing;
 * `start()` connects to MongoDB and Kafka (retrying in the background, so a dependency that is down
 * leaves the mediator running with /ready = 503) and starts listening; `stop()` drains and closes.
 */
import type { Db, MongoClient } from 'mongodb';
import type { Server } from '@hapi/hapi';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from './config';
import { createLogger } from './core/logger';
import type { Logger } from './core/logger';
import { retryForever } from './core/retry';
import { newClaimant } from './core/outbox-claims';
import type { Claimant } from './core/outbox-claims';
import type { Outbox, TopicTable } from './events/ports';
import { PublishWatch } from './events/publish-watch';
import { buildEventsModule, ingestTopics, topicTable } from './events-module';
import { buildIngestModule } from './ingest-module';
import { compositeOutbox } from './events/composite-outbox';
import { acceptedBundleEvent } from './events/accepted-bundle';
import { MemoryEventQueue } from './events/memory-queue';
import { MongoEventQueue } from './storage/mongo-event-queue';
import { MemoryAuditStore } from './audit/memory';
import { MongoAuditStore } from './audit/mongo';
import { MemoryPractitionerStore } from './practitioners/memory-store';
import { MongoPractitionerStore } from './practitioners/mongo-store';
import type { PractitionerStore } from './practitioners/port';
import { auditPlugin } from './audit/plugin';
import { AUDIT_EVENT_CAPABILITIES } from './audit/fhir';
import type { AuditStore } from './audit/ports';
import { AuditWriter } from './audit/writer';
import { fhirPlugin } from './fhir/plugin';
import { MemoryClientStore } from './http/auth/clients';
import type { ClientStore } from './http/auth/clients';
import { MongoClientStore } from './http/auth/mongo-clients';
import { authPlugin } from './http/auth/plugin';
import { createAuthOptions } from './http/auth/setup';
import { mpiApiPlugin } from './mpi-api/plugin';
import { stewardPlugin } from './steward/plugin';
import { stewardSettings } from './steward/settings';
import { errorMapperPlugin } from './http/errors';
import { MediatorError } from './core/errors';
import { healthPlugin } from './http/health';
import { requestContextPlugin } from './http/request-context';
import { createServer } from './http/server';
import { buildRegistryModule } from './registry-module';
import type { RegistryModule } from './registry-module';
import { buildTransforms, loadDeploymentTerminology } from './transforms-module';
import type { Transforms } from './transforms';
import { buildSyncModule, buildSyncStores } from './sync-module';
import { syncRoutes } from './mpi-api/routes/sync';
import { version } from '../package.json';
import { createMongoClient } from './storage/mongo-client';
import { LiveSettingsHolder } from './config/live-holder';
import type { LiveSettings } from './config/live';
import { auditNoteOf } from './audit/context';
import { createOpenhimIntegration } from './openhim';

import type { App, AppOverrides } from './app-types';

export type { App, AppOverrides };

interface Stores {
  /** The MongoDB client, when some store lives in MongoDB. */
  mongo: MongoClient | null;
  db: Db | null;
  /** Who claims outbox entries in this process. */
  claimant: Claimant;
  registry: RegistryModule;
  clients: ClientStore;
  audit: AuditStore;
  practitioners: PractitionerStore;
}

/**
 * Every store: the ones passed as they are, the others in MongoDB or memory as `storage` says.
 * @param config - the validated configuration
 * @param logger - the process logger
 * @param o - the caller's overrides
 */
function buildStores(config: Config, logger: Logger, o: AppOverrides): Stores {
  // One claimant per process for every outbox: several processes relay one database at once.
  const claimant = newClaimant(config.env.INSTANCE_ID, config.env.EVENT_CLAIM_LEASE_MS);
  const inMongo = o.storage !== 'memory' && (!o.registry || !o.clients || !o.audit || !o.practitioners);
  const mongo = inMongo ? createMongoClient(config.env.MONGODB_URI ?? '', { serverSelectionTimeoutMS: 2000, appName: config.env.INSTANCE_ID }) : null;
  const db = mongo ? mongo.db(config.env.MONGODB_DB) : null;
  return {
    mongo,
    db,
    claimant,
    registry: o.registry ?? buildRegistryModule({ config, logger, db, claimant }),
    clients: o.clients ?? (db ? new MongoClientStore(db) : new MemoryClientStore()),
    audit: o.audit ?? (db ? new MongoAuditStore(db) : new MemoryAuditStore()),
    practitioners: o.practitioners ?? (db ? new MongoPractitionerStore(db, 'practitioners', config.env.INSTANCE_ID, claimant) : new MemoryPractitionerStore(config.env.INSTANCE_ID)),
  };
}

/**
 * The topic table a live-settings change sets (the publisher reads the table at each publish).
 * @param s - live settings
 */
function liveTopics(s: LiveSettings): TopicTable {
  return { patient: s.kafkaTopicPatient, practitioner: s.kafkaTopicPractitioner, review: s.kafkaTopicReview, dlq: s.kafkaTopicDlq, bundle2xx: s.kafkaTopic2xx };
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
  const { mongo, db, claimant, registry, clients, audit: auditStore, practitioners } = buildStores(config, logger, overrides);
  const topics: Record<keyof TopicTable, string> = { ...topicTable(config) };
  const metrics = buildMetrics();
  // Accepted Bundles for the optional Instant OpenHIE `2xx` topic wait in a queue of their own; the
  // registry's and the practitioner store's events in their outboxes. One relay drains them all.
  const bundleQueue = db ? new MongoEventQueue(db, 'event_queue', claimant) : new MemoryEventQueue();
  // The channels' dead letters (DLQ topic) and health-worker role events wait in the sync stores.
  const syncStores = buildSyncStores(db, claimant);
  const outboxes: Outbox[] = [registry.outbox, ...(practitioners.outbox ? [practitioners.outbox] : []), bundleQueue, syncStores.deadLetters, syncStores.events];
  const events = buildEventsModule({ config, logger, outbox: compositeOutbox(outboxes), metrics: metrics.registry, topics, ...(overrides.publisher ? { publisher: overrides.publisher } : {}) });
  const { publisher, relay } = events;
  // Publish a change's events as soon as it is applied, not at the next poll.
  registry.onApplied(() => relay.nudge());
  // Inbound Kafka ingest (off by default).
  const ingest = buildIngestModule({ config, logger, registry: registry.service, metrics: metrics.registry, topics: ingestTopics(config) });
  const server = createServer(config);
  const auditWriter = new AuditWriter({ store: auditStore, logger });
  let stopping = false;
  // Not ready before the indexes exist: the unique ones enforce the registry's invariants (stores in
  // memory, or injected, have nothing to build here).
  let storesReady = mongo === null;
  const lifetime = new AbortController();
  let kafkaConnected = false;

  // Live settings and OpenHIM (src/openhim): a change in OpenHIM's console reaches the matcher, the
  // event topics and the log level without a restart. The channels subscribe the same way.
  const live = new LiveSettingsHolder({ base: config.liveBase, initial: config.live, logger });
  live.subscribe('matcher', (s) => registry.setMatchThresholds({ upperThreshold: s.matchUpperThreshold, lowerThreshold: s.matchLowerThreshold, runnerUpMargin: s.matchRunnerUpMargin }));
  live.subscribe('kafka-topics', (s) => void Object.assign(topics, liveTopics(s)));
  live.subscribe('log-level', (s) => {
    logger.level = s.logLevel;
  });
  const openhim = createOpenhimIntegration({
    env: config.env, live, logger, touchedBy: auditNoteOf, backoff: overrides.openhimBackoff,
    // Events of a request wait in the outbox while Kafka does not take them: OpenHIM shows "Completed with error(s)".
    eventsDelayed: () => !kafkaConnected || relay.lastError !== null,
    // Each relay batch that publishes a transaction's events is one of its orchestrations.
    publishes: new PublishWatch({ relay, brokers: config.env.KAFKA_BROKERS ?? [], topics, waitMs: config.env.OPENHIM_EVENTS_WAIT_MS }),
  });
  const onFatal = overrides.onFatal ?? ((err: Error) => logger.fatal({ err }, 'fatal error'));

  await server.register([
    { plugin: requestContextPlugin, options: { logger, requests: metrics.requests, durations: metrics.durations } },
    { plugin: errorMapperPlugin, options: { logger } },
    openhim.plugin,
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
    if (storesReady || !/^\/(fhir|mpi|sync|channels)(\/|$)/.test(request.path)) return h.continue;
    throw new MediatorError('unavailable', 'Passerelle is starting: its database is not ready yet', { retryAfterSeconds: 5 });
  });
  const terminology = loadDeploymentTerminology(config.env.MAPPINGS_DIR);
  // Compiled once, now: a mapping with a syntax error stops start-up naming file, line and token.
  const transforms: Transforms = buildTransforms({ mappingsDir: config.env.MAPPINGS_DIR, phoneCountry: config.env.DEFAULT_PHONE_COUNTRY, terminology, live: () => live.current, logger, engine: config.env.MAPPING_ENGINE });
  const sync = buildSyncModule({ stores: syncStores, live: live.current, registry: registry.service, transforms, logger, practitioners });
  // New URLs, credentials, intervals and page sizes apply to the next run, without a restart.
  live.subscribe('channels', (s) => sync.manager.reconfigure(s));
  await server.register([
    { plugin: authPlugin, options: await createAuthOptions({ config, logger, clients }) },
    { plugin: auditPlugin, options: { store: auditStore, logger, baseUrl: config.publicBaseUrl, writer: auditWriter } },
    {
      plugin: fhirPlugin,
      options: {
        registry: registry.service, practitioners, terminology, baseUrl: `${config.publicBaseUrl}/fhir`, identifierSystems: ['urn:passerelle:mpi-id'],
        bundleAccepted: async (bundle: object, actor: { transactionId?: string }) => {
          if (!live.current.publish2xx) return;
          // The identities are already committed: a failure here loses only the compatibility copy, loudly.
          await bundleQueue.enqueue(acceptedBundleEvent(bundle, actor.transactionId)).then(() => relay.nudge(), (err: unknown) => logger.error({ err }, 'accepted Bundle not queued for the 2xx topic'));
        },
        onMatchMiss: sync.manager.askRegistryOnMiss.bind(sync.manager),
        externalCapabilities: AUDIT_EVENT_CAPABILITIES,
      },
    },
    {
      plugin: mpiApiPlugin,
      options: { registry: registry.service, logger, version, baseUrl: config.publicBaseUrl, extraRoutes: { routes: syncRoutes(sync.manager, config.env.BODY_LIMIT_BYTES), prefixes: ['/sync', '/channels'] } },
    },
    // The data-steward page (/steward): static files; it works through the MPI API above.
    { plugin: stewardPlugin, options: { settings: stewardSettings(config), logger } },
  ]);

  async function start(): Promise<void> {
    void retryForever('mongodb', async () => {
      await registry.init();
      if (auditStore instanceof MongoAuditStore) await auditStore.init();
      if (practitioners instanceof MongoPractitionerStore) await practitioners.init();
      if (bundleQueue instanceof MongoEventQueue) await bundleQueue.init();
      await sync.stores.init();
      storesReady = true;
      events.retention.start();
      await sync.manager.start(overrides.scheduleChannels ?? true);
    }, { logger, signal: lifetime.signal });
    void retryForever('kafka', () => publisher.connect(), { logger, signal: lifetime.signal }).then((ok) => {
      kafkaConnected = ok;
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
    } else {
      await listen(server, config);
      logger.info({ uri: server.info.uri, version }, 'Passerelle listening');
    }
    // Registration waits for Core in the background: the APIs serve meanwhile.
    openhim.link?.start().catch((err: unknown) => onFatal(err instanceof Error ? err : new Error(String(err))));
  }

  async function stop(): Promise<void> {
    stopping = true;
    await openhim.link?.stop();
    // Stop taking requests and let in-flight ones finish, then flush events and close connections.
    await server.stop({ timeout: config.env.SHUTDOWN_GRACE_MS });
    lifetime.abort();
    await ingest?.stop();
    await sync.manager.stop();
    await relay.stop();
    await events.retention.stop();
    await Promise.allSettled([publisher.disconnect(), registry.close(), mongo?.close()]);
    logger.info('Passerelle stopped');
  }

  return { server, config, logger, registry, publisher, relay, audit: { store: auditStore, writer: auditWriter }, clients, practitioners, live, openhim: openhim.link, transforms, sync, start, stop };
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
