/**
 * Assembles the registry (store + matching engine + decision rules + service) for the composition
 * root and tools, over MongoDB or the in-memory twin, and exposes its journal as the event relay's
 * Outbox port. Only this file, app.ts and the tools choose a concrete store.
 */
import type { Db } from 'mongodb';
import type { Config } from './config';
import type { Logger } from './core/logger';
import type { Outbox } from './events/ports';
import { DEFAULT_RULES, createMatchingEngine, decide, defaultModel, matchRulesSchema } from './registry/matching';
import type { MatchRules, MatchingEngine } from './registry/matching';
import { createMemoryRegistryStore } from './registry/memory/memory-store';
import { createMongoRegistryStore, ensureIndexes } from './registry/mongo/mongo-store';
import { DEFAULT_REGISTRY_CONFIG } from './registry/context';
import { createMpiIdCodec } from './registry/mpi-id';
import { createRegistryService } from './registry/service';
import type { RegistryServiceImpl } from './registry/service';
import type { RegistryStore } from './registry/store';

/** The registry as the app runs it. */
export interface RegistryModule {
  service: RegistryServiceImpl;
  store: RegistryStore;
  outbox: Outbox;
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
  /** How often to look for unapplied journal changes (ms). */
  recoveryIntervalMs?: number;
  /** Wrap the matching engine (e.g. to count comparisons in the linkage evaluation); default: as is. */
  instrumentEngine?: (engine: MatchingEngine) => MatchingEngine;
  /** How deep the in-memory twin freezes what it stores (`top`: CPU measurements of the registry itself). */
  memoryFreeze?: 'deep' | 'top';
}

/**
 * Build the registry module.
 * @param opts - configuration, logger, database (or null for memory) and rule overrides
 */
export function buildRegistryModule(opts: RegistryModuleOptions): RegistryModule {
  const { config, logger, db } = opts;
  const store = db ? createMongoRegistryStore(db) : createMemoryRegistryStore(opts.memoryFreeze ? { freeze: opts.memoryFreeze } : {});
  const fromEnv: Partial<MatchRules> = {
    upperThreshold: config.env.MATCH_UPPER_THRESHOLD,
    lowerThreshold: config.env.MATCH_LOWER_THRESHOLD,
    runnerUpMargin: config.live.matchRunnerUpMargin,
    identifierConflict: config.env.MATCH_IDENTIFIER_CONFLICT,
    scoredIdentifierSystems: config.env.MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS,
  };
  let rules = matchRulesSchema.parse({ ...DEFAULT_RULES, ...fromEnv, ...opts.rules });
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
      decision: { autoLink: rules.upperThreshold, review: rules.lowerThreshold, margin: 0.05 },
      featureOptions: { defaultCountry: config.env.DEFAULT_PHONE_COUNTRY },
      survivorship: { ...DEFAULT_REGISTRY_CONFIG.survivorship, phoneCountry: config.env.DEFAULT_PHONE_COUNTRY },
    },
    decide: (best, runnerUp) => decide(best, runnerUp, rules),
  });
  let timer: NodeJS.Timeout | null = null;

  async function init(): Promise<void> {
    if (db) await ensureIndexes(db);
    const recovered = await service.recoverPending({ graceMs: 0 });
    if (recovered > 0) logger.warn({ recovered }, 're-applied journal changes left unapplied by a previous run');
    timer ??= setInterval(() => {
      service.recoverPending().catch((err: unknown) => logger.warn({ err }, 'journal recovery failed'));
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
    // Both swaps run in one tick, so no decision sees one without the other.
    rules = next;
    service.setDecisionThresholds({ autoLink: next.upperThreshold, review: next.lowerThreshold });
  }

  return { service, store, outbox: store.outbox, init, ping, close, setMatchThresholds };
}
