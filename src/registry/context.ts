/**
 * Dependencies and configuration of the registry service, resolved once into a context object
 * that every helper (register, merge, review...) receives. Nothing here is a module singleton.
 */
import { randomUUID } from 'node:crypto';
import type { Patient } from 'fhir/r4';
import type { Clock } from '../core/types';
import { systemClock } from '../core/types';
import type { MatchFeatures, MatchingEngine, MatchModel } from './matching/contract';
import { DEFAULT_RULES } from './matching/rules';
import type { MatchRules } from './matching/rules';
import type { ClaimConfig } from './claims';
import { DEFAULT_CLAIM_CONFIG } from './claims';
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
  claims: ClaimConfig;
  /** Retries of a change that lost an optimistic race. */
  retries: number;
  /** Recovery leaves alone unapplied changes younger than this (their writer is still applying them). */
  recoveryGraceMs: number;
  /** How long the active model is cached; another process's activation is seen after at most this. */
  modelCacheMs: number;
  /** Largest journal change an atomic unit may commit (bytes of JSON); MongoDB's document limit is 16 MiB. */
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
  claims: DEFAULT_CLAIM_CONFIG,
  retries: 8,
  recoveryGraceMs: 5000,
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
  /** Set inside an atomic unit (atomic.ts): the store is its staging view. */
  unit?: boolean;
}

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
  return {
    store: deps.store,
    engine: deps.engine,
    clock,
    newId: deps.newId ?? randomUUID,
    logger: deps.logger ?? silentLogger,
    mpiIds: deps.mpiIds ?? createMpiIdCodec(),
    cfg,
    model,
    invalidateModel: () => {
      cached = null;
    },
    features: (patient) => deps.engine.extractFeatures(patient, cfg.featureOptions),
  };
}
