/**
 * Assembles the channels and the sync for the composition root and the tools (`npm run sync`, the
 * demo, the benchmarks): the sync stores over MongoDB or their in-memory twins, the channels built
 * from the live settings (rebuilt on reconfiguration) and the channel manager. Dead letters and
 * health-worker role events wait in the sync stores, which are outboxes the app's one relay drains.
 */
import type { Db } from 'mongodb';
import type { Claimant } from './core/outbox-claims';
import type { LiveSettings } from './config/live';
import { Dhis2Channel, dhis2SettingsOf, upstreamAuth } from './channels/dhis2/adapter';
import { createUpstreamClient } from './channels/http';
import { OpenmrsChannel, openmrsSettingsOf } from './channels/openmrs/adapter';
import { IhrisChannel, ihrisSettingsOf } from './channels/ihris/adapter';
import { NcrChannel, ncrSettingsOf } from './channels/ncr/adapter';
import { ncrJob } from './sync/ncr-job';
import type { ChannelName, InboundChannel } from './channels/ports';
import type { Logger } from './core/logger';
import type { RegistryService } from './registry/api';
import { inboundJob } from './sync/inbound-job';
import type { IngestDeps } from './sync/ingest';
import { practitionerIngest } from './sync/practitioners';
import type { PractitionerStore } from './practitioners/port';
import { ChannelManager } from './sync/manager';
import type { ChannelSet } from './sync/manager';
import { MemoryChannelEventStore, MemoryChannelStateStore, MemoryDeadLetterStore, MemorySyncRunStore } from './sync/memory-stores';
import { MongoChannelEventStore, MongoChannelStateStore, MongoDeadLetterStore, MongoSyncRunStore } from './sync/mongo-stores';
import type { ChannelEventStore, ChannelStateStore, DeadLetterStore, SyncRunStore } from './sync/ports';
import type { ChannelJob } from './sync/runner';
import type { Transforms } from './transforms';

/** The sync stores. */
export interface SyncStores {
  state: ChannelStateStore;
  deadLetters: DeadLetterStore;
  runs: SyncRunStore;
  events: ChannelEventStore;
  /** Create the MongoDB indexes (nothing for the twins). */
  init(): Promise<void>;
}

/** The sync as the app runs it. */
export interface SyncModule {
  manager: ChannelManager;
  stores: SyncStores;
}

/** What the sync is built from. */
export interface SyncModuleOptions {
  /** The sync stores (buildSyncStores). */
  stores: SyncStores;
  live: LiveSettings;
  registry: RegistryService;
  transforms: Transforms;
  logger: Logger;
  /** The practitioner registry the iHRIS channel fills; without it iHRIS records are refused. */
  practitioners?: PractitionerStore;
  now?: () => Date;
}

/**
 * The sync stores over a database, or in memory.
 * @param db - the database, or null
 * @param claimant - who claims outbox entries (dead letters, role events) in this process
 */
export function buildSyncStores(db: Db | null, claimant?: Claimant): SyncStores {
  if (!db) {
    return { state: new MemoryChannelStateStore(), deadLetters: new MemoryDeadLetterStore(), runs: new MemorySyncRunStore(), events: new MemoryChannelEventStore(), init: async () => undefined };
  }
  const stores = { state: new MongoChannelStateStore(db), deadLetters: new MongoDeadLetterStore(db, claimant), runs: new MongoSyncRunStore(db), events: new MongoChannelEventStore(db, claimant) };
  return {
    ...stores,
    async init() {
      await stores.state.init();
      await stores.deadLetters.init();
      await stores.runs.init();
      await stores.events.init();
    },
  };
}

/**
 * The inbound channels the live settings enable.
 * @param live - the live settings
 */
export function buildInboundChannels(live: LiveSettings): Map<ChannelName, InboundChannel> {
  const channels = new Map<ChannelName, InboundChannel>();
  const dhis2 = dhis2SettingsOf(live);
  if (dhis2 && live.dhis2BaseUrl) {
    const http = createUpstreamClient({ channel: 'dhis2', baseUrl: live.dhis2BaseUrl, timeoutMs: live.dhis2TimeoutMs, auth: upstreamAuth(live.dhis2Username, live.dhis2Password, live.dhis2ApiToken) });
    channels.set('dhis2', new Dhis2Channel(http, dhis2));
  }
  const openmrs = openmrsSettingsOf(live);
  if (openmrs && live.openmrsBaseUrl) {
    // One login, then the session cookie (source-systems.md §2.5).
    const http = createUpstreamClient({ channel: 'openmrs', baseUrl: live.openmrsBaseUrl, timeoutMs: live.openmrsTimeoutMs, auth: upstreamAuth(live.openmrsUsername, live.openmrsPassword), sessionCookie: true });
    channels.set('openmrs', new OpenmrsChannel(http, openmrs));
  }
  const ihris = ihrisSettingsOf(live);
  if (ihris && live.ihrisBaseUrl) {
    const http = createUpstreamClient({ channel: 'ihris', baseUrl: live.ihrisBaseUrl, timeoutMs: live.ihrisTimeoutMs, auth: upstreamAuth(live.ihrisUsername, live.ihrisPassword) });
    channels.set('ihris', new IhrisChannel(http, ihris));
  }
  return channels;
}

/**
 * The national registry channel, when the live settings enable it.
 * @param live - the live settings
 */
export function buildNcrChannel(live: LiveSettings): NcrChannel | null {
  const ncr = ncrSettingsOf(live);
  if (!ncr || !live.ncrBaseUrl) return null;
  const headers = live.ncrClientId ? { 'x-openhim-clientid': live.ncrClientId } : undefined;
  return new NcrChannel(createUpstreamClient({ channel: 'ncr', baseUrl: live.ncrBaseUrl, timeoutMs: live.ncrTimeoutMs, auth: upstreamAuth(live.ncrUsername, live.ncrPassword), headers }), ncr);
}

/**
 * The channels of one set of live settings.
 * @param live - the live settings
 * @param ingest - what inbound jobs take records in with
 * @param state - channel state (the registry channel's record of what it sent)
 */
export function buildChannelSet(live: LiveSettings, ingest: IngestDeps, state: ChannelStateStore): ChannelSet {
  const inbound = buildInboundChannels(live);
  const jobs = new Map<ChannelName, ChannelJob>();
  for (const [name, channel] of inbound) jobs.set(name, inboundJob(channel, ingest));
  const ncr = buildNcrChannel(live);
  if (ncr) jobs.set('ncr', ncrJob(ncr, { registry: ingest.registry, state, deadLetters: ingest.deadLetters, now: ingest.now, safetyWindowMs: live.ncrSendDelaySeconds * 1000 }));
  const intervals = new Map<ChannelName, number>([
    ['dhis2', live.dhis2PollIntervalSeconds * 1000], ['openmrs', live.openmrsPollIntervalSeconds * 1000],
    ['ihris', live.ihrisPollIntervalSeconds * 1000], ['ncr', live.ncrPollIntervalSeconds * 1000],
  ]);
  return { jobs, inbound, intervals, concurrency: live.syncConcurrency, ...(ncr ? { ncr } : {}) };
}

/**
 * Build the sync.
 * @param opts - stores, live settings, registry, mappings, logger
 */
export function buildSyncModule(opts: SyncModuleOptions): SyncModule {
  const { stores } = opts;
  const now = opts.now ?? ((): Date => new Date());
  const practitioners = opts.practitioners ? practitionerIngest({ store: opts.practitioners, events: stores.events, registry: opts.registry, now }) : undefined;
  const ingest: IngestDeps = { registry: opts.registry, transforms: opts.transforms, deadLetters: stores.deadLetters, practitioners, now };
  const manager = new ChannelManager({ ...ingest, deadLetters: stores.deadLetters, state: stores.state, runs: stores.runs, logger: opts.logger, build: (live) => buildChannelSet(live, ingest, stores.state) }, opts.live);
  return { manager, stores };
}
