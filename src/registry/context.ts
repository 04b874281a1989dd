/**
 * Dependencies and configuration of the registry service, resolved once into a context object
 * that every helper (register, merge, review...) receives. Nothing here is a module singleton.
 */
import { uuidV7 } from '../core/ids';
import type { Patient } from 'fhir/r4';
import type { Clock } from '../core/types';
import { systemClock } from '../core/types';
import type { MatchFeatures, MatchingEngine, MatchModel } from './matching/contract';
import { DEFAULT_RULES } from './matching/rules';
import type { MatchRules } from './matching/rules';
import type { MpiIdCodec } from './mpi-id';
import { createMpiIdCodec } from './mpi-id';
import type { RegistryStore } from './store';
import type { SurvivorshipConfig } from './survivorship';

/** A pino-compatible subset. */
export interface RegistryLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Registry configuration (all fields have defaults). */
export interface RegistryConfig {
  /** The matcher's decision rules (registry/matching/rules.ts). */
  rules: MatchRules;
  survivorship: SurvivorshipConfig;
  /** Maximum source keys read per blocking key (after the refined-block split); beyond, the block is truncated and a warning logged. */
  blockCap: number;
  /** Block size above which a lookup keeps only the entries sharing the probe's refined key (flat cost as the registry grows). */
  refineAt: number;
  /** How long a change waits for another change's leases before giving up with 503 (retryable). */
  leaseWaitMs: number;
  /** Recomputations of a change that lost a race, before the wait deadline is also considered. */
  retries: number;
  /** Recovery leaves alone unfinished changes younger than this (their writer is still applying them). */
  recoveryGraceMs: number;
  /** A committed change failing its lookup check is aborted by recovery only once this old. */
  abandonAfterMs: number;
  /** How long the active model is cached; another process's activation is seen after at most this. */
  modelCacheMs: number;
  /** Largest change an atomic unit may commit (bytes of JSON); MongoDB's document limit is 16 MiB. */
  maxUnitBytes: number;
  /** `urn:passerelle:<instance>` is the CloudEvents source. */
  instance: string;
  featureOptions: { defaultCountry?: string; nationalIdSystems?: string[] };
}

export const DEFAULT_REGISTRY_CONFIG: RegistryConfig = {
  rules: DEFAULT_RULES,
  survivorship: { trust: [], mpiSystem: 'urn:passerelle:mpi-id' },
  blockCap: 500,
  refineAt: 64,
  leaseWaitMs: 20_000,
  retries: 8,
  recoveryGraceMs: 5000,
  abandonAfterMs: 60_000,
  modelCacheMs: 5000,
  maxUnitBytes: 12 * 1024 * 1024,
  instance: 'registry',
  featureOptions: {},
};

/** What `createRegistryService` needs. */
export interface RegistryDeps {
  store: RegistryStore;
  engine: MatchingEngine;
  /** Model used until a trained model is activated. */
  defaultModel: MatchModel;
  clock?: Clock;
  newId?: () => string;
  logger?: RegistryLogger;
  mpiIds?: MpiIdCodec;
  config?: Partial<RegistryConfig>;
}

/** The resolved context shared by the service's helpers. */
export interface RegistryContext {
  store: RegistryStore;
  engine: MatchingEngine;
  clock: Clock;
  newId: () => string;
  logger: RegistryLogger;
  mpiIds: MpiIdCodec;
  cfg: RegistryConfig;
  /** The active model (trained, or the default); cached for `modelCacheMs`. */
  model(): Promise<MatchModel>;
  /** Forget the cached model (after this process saves or activates one). */
  invalidateModel(): void;
  features(patient: Patient): MatchFeatures;
  /**
   * A record's blocking keys and refinement code (what the engine's refined keys append to them),
   * computed once per features object.
   */
  blocking(features: MatchFeatures): { keys: string[]; rf: string };
  /**
   * The logical time of a new change: above `floor` (the highest `seq` it read), above every seq this
   * process handed out, and near the clock in microseconds (a hybrid logical clock).
   */
  nextSeq(floor: number): number;
  /** Blocking keys seen to hold more than `refineAt` records (read through the refinement code). */
  largeBlocks: ReadonlySet<string>;
  /** Remember a large block (bounded: beyond the limit, blocks are found large again when read). */
  noteLargeBlock(key: string): void;
  /** Set inside an atomic unit (atomic.ts): the store is its staging view. */
  unit?: boolean;
}

/**
 * What the refined blocking keys append to the coarse ones (the same suffix for every key); empty
 * when the engine does not refine.
 * @param coarse - blocking keys
 * @param fine - their refined forms, same order
 */
function refinementSuffix(coarse: string[], fine: string[]): string {
  for (let i = 0; i < coarse.length; i++) {
    const c = coarse[i] as string;
    const r = fine[i] as string;
    if (r !== c && r.startsWith(c)) return r.slice(c.length);
  }
  return '';
}

/** How many large blocking keys a process remembers (a few MB at most). */
const LARGE_BLOCKS_REMEMBERED = 200_000;

const silentLogger: RegistryLogger = { warn: () => undefined };

/**
 * Resolve dependencies and defaults into a context.
 * @param deps - injected dependencies
 */
export function createContext(deps: RegistryDeps): RegistryContext {
  const cfg: RegistryConfig = { ...DEFAULT_REGISTRY_CONFIG, ...deps.config };
  const clock = deps.clock ?? systemClock;
  // Reading the active model is one store query; registrations would otherwise pay it every time.
  let cached: { model: MatchModel; at: number } | null = null;
  const model = async (): Promise<MatchModel> => {
    const now = clock.now().getTime();
    if (cached && now - cached.at < cfg.modelCacheMs) return cached.model;
    const m = (await deps.store.models.active())?.model ?? deps.defaultModel;
    cached = { model: m, at: now };
    return m;
  };
  let lastSeq = 0;
  const largeBlocks = new Set<string>();
  // A page's prefetch and its registrations ask for the same Patient's features: computed once.
  const featuresOf = new WeakMap<Patient, MatchFeatures>();
  const blockingOf = new WeakMap<MatchFeatures, { keys: string[]; rf: string }>();
  return {
    store: deps.store,
    engine: deps.engine,
    clock,
    newId: deps.newId ?? uuidV7,
    logger: deps.logger ?? silentLogger,
    mpiIds: deps.mpiIds ?? createMpiIdCodec(),
    cfg,
    model,
    invalidateModel: () => {
      cached = null;
    },
    features: (patient) => {
      let f = featuresOf.get(patient);
      if (!f) {
        f = deps.engine.extractFeatures(patient, cfg.featureOptions);
        featuresOf.set(patient, f);
      }
      return f;
    },
    blocking: (f) => {
      let b = blockingOf.get(f);
      if (!b) {
        const keys = deps.engine.blockingKeys(f);
        b = { keys, rf: refinementSuffix(keys, deps.engine.refinedBlockingKeys?.(f) ?? keys) };
        blockingOf.set(f, b);
      }
      return b;
    },
    nextSeq: (floor) => {
      lastSeq = Math.max(clock.now().getTime() * 1000, floor + 1, lastSeq + 1);
      return lastSeq;
    },
    largeBlocks,
    noteLargeBlock: (key) => {
      if (largeBlocks.size < LARGE_BLOCKS_REMEMBERED) largeBlocks.add(key);
    },
  };
}
