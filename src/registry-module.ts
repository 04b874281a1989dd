/**
 * Assembles the registry (store + matching engine + decision rules + service) for the composition
 * root and tools, over MongoDB or the in-memory twin, and exposes its change log as the event relay's
 * Outbox port. Only this file, app.ts and the tools choose a concrete store.
 */
import type { Db } from 'mongodb';
import type { Config } from './config';
import type { Logger } from './core/logger';
import { newClaimant } from './core/outbox-claims';
import type { Claimant } from './core/outbox-claims';
import type { Outbox } from './events/ports';
import { createMatchingEngine, defaultModel, loadNameTables, matchRulesSchema, rulesFromEnvironment, useNameTable } from './registry/matching';
import type { MatchRules, MatchingEngine } from './registry/matching';
import { createMemoryRegistryStore } from './registry/memory/memory-store';
import { createMongoRegistryStore, prepareRegistryDb } from './registry/mongo/mongo-store';
import { DEFAULT_REGISTRY_CONFIG } from './registry/context';
import { createMpiIdCodec } from './registry/mpi-id';
import { createRegistryService } from './registry/service';
import type { InternalRegistryService } from './registry/service';
import type { ChangeLog, RegistryStore } from './registry/store';

/** The registry as the app runs it. */
export interface RegistryModule {
  service: InternalRegistryService;
  store: RegistryStore;
  outbox: Outbox;
  /** Call `listener` after every change this process applies (the relay publishes its events at once). */
  onApplied(listener: () => void): void;
  /** Create indexes and re-apply changes a crash left half-done; retried by app.start until it succeeds. */
  init(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Swap the matcher's thresholds (live configuration): validated, then replaced in one step. */
  setMatchThresholds(thresholds: Pick<MatchRules, 'upperThreshold' | 'lowerThreshold' | 'runnerUpMargin'>): void;
}

export interface RegistryModuleOptions {
  config: Config;
  logger: Logger;
  /** MongoDB database; null selects the in-memory twin (tests, evaluation). */
  db: Db | null;
  rules?: Partial<MatchRules>;
  /** How often to look for unapplied changes of the change log (ms). */
  recoveryIntervalMs?: number;
  /** Wrap the matching engine (e.g. to count comparisons in the linkage evaluation); default: as is. */
  instrumentEngine?: (engine: MatchingEngine) => MatchingEngine;
  /** How deep the in-memory twin freezes what it stores (`top`: CPU measurements of the registry itself). */
  memoryFreeze?: 'deep' | 'top';
  /** Who claims outbox changes in this process (default: a claimant of its own, EVENT_CLAIM_LEASE_MS). */
  claimant?: Claimant;
}

/**
 * The change log, telling `listeners` after each change it finishes (its events are then pending).
 * @param changes - the store's change log
 * @param listeners - called after each finished change
 */
function signallingChangeLog(changes: ChangeLog, listeners: Set<() => void>): ChangeLog {
  return {
    commit: (change) => changes.commit(change),
    abort: (id) => changes.abort(id),
    finish: async (id) => {
      await changes.finish(id);
      for (const l of listeners) l();
    },
    get: (id) => changes.get(id),
    unfinished: (limit) => changes.unfinished(limit),
    leaseHolder: (lease) => changes.leaseHolder(lease),
    dropOrphanLease: (leaseId) => changes.dropOrphanLease(leaseId),
    history: (kind, id) => changes.history(kind, id),
    allHistory: (o) => changes.allHistory(o),
    historySince: (o) => changes.historySince(o),
  };
}

/**
 * Build the registry module.
 * @param opts - configuration, logger, database (or null for memory) and rule overrides
 */
export function buildRegistryModule(opts: RegistryModuleOptions): RegistryModule {
  const { config, logger, db } = opts;
  const applied = new Set<() => void>();
  const claimant = opts.claimant ?? newClaimant(config.env.INSTANCE_ID, config.env.EVENT_CLAIM_LEASE_MS);
  const raw = db
    ? createMongoRegistryStore(db, 'registry_', { keysPerQuery: config.env.MONGODB_LOOKUP_KEYS_PER_QUERY, claimant })
    : createMemoryRegistryStore(opts.memoryFreeze ? { freeze: opts.memoryFreeze } : {});
  const store: RegistryStore = { ...raw, changes: signallingChangeLog(raw.changes, applied) };
  let rules = matchRulesSchema.parse({ ...rulesFromEnvironment(config.env), runnerUpMargin: config.live.matchRunnerUpMargin, ...opts.rules });
  // The shipped name table and the deployment's own (read at start; a bad line stops start-up, naming it).
  useNameTable(loadNameTables(config.env.MATCH_NAME_TABLES));
  const base = createMatchingEngine({ defaultCountry: config.env.DEFAULT_PHONE_COUNTRY });
  const engine = opts.instrumentEngine ? opts.instrumentEngine(base) : base;
  const service = createRegistryService({
    store,
    engine,
    defaultModel: defaultModel(),
    logger,
    mpiIds: createMpiIdCodec({ template: '{country}-{region}-{yy}-{random8}', country: config.env.MPI_ID_COUNTRY, region: config.env.MPI_ID_REGION }),
    config: {
      instance: config.env.INSTANCE_ID,
      rules,
      featureOptions: { defaultCountry: config.env.DEFAULT_PHONE_COUNTRY },
      survivorship: { ...DEFAULT_REGISTRY_CONFIG.survivorship, phoneCountry: config.env.DEFAULT_PHONE_COUNTRY },
    },
  });
  let timer: NodeJS.Timeout | null = null;

  async function init(): Promise<void> {
    if (db) {
      const moved = await prepareRegistryDb(db);
      if (moved > 0) logger.info({ moved }, 'moved the events of changes written before outbox documents to the outbox');
    }
    const recovered = await service.recoverPending({ graceMs: 0 });
    if (recovered > 0) logger.warn({ recovered }, 're-applied changes left unapplied by a previous run');
    timer ??= setInterval(() => {
      service.recoverPending().catch((err: unknown) => logger.warn({ err }, 'change log recovery failed'));
    }, opts.recoveryIntervalMs ?? 30000);
    timer.unref();
  }

  async function ping(): Promise<boolean> {
    if (!db) return true;
    try {
      await db.command({ ping: 1 });
      return true;
    } catch {
      return false;
    }
  }

  async function close(): Promise<void> {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function setMatchThresholds(thresholds: Pick<MatchRules, 'upperThreshold' | 'lowerThreshold' | 'runnerUpMargin'>): void {
    const next = matchRulesSchema.parse({ ...rules, ...thresholds });
    rules = next;
    service.setMatchRules(next);
  }

  return { service, store, outbox: store.outbox, onApplied: (l) => applied.add(l), init, ping, close, setMatchThresholds };
}
