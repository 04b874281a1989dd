/**
 * What the composition root (app.ts) builds and what a caller may replace in it: types only, so
 * tools and tests can name them without the concrete classes.
 */
import type { Server } from '@hapi/hapi';
import type { Config } from './config';
import type { Logger } from './core/logger';
import type { EventPublisher } from './events/ports';
import type { OutboxRelay } from './events/relay';
import type { AuditStore } from './audit/ports';
import type { AuditWriter } from './audit/writer';
import type { ClientStore } from './http/auth/clients';
import type { PractitionerStore } from './practitioners/port';
import type { RegistryModule } from './registry-module';
import type { Transforms } from './transforms';
import type { SyncModule } from './sync-module';
import type { LiveSettingsHolder } from './config/live-holder';
import type { MediatorLink } from './openhim';

export interface App {
  server: Server;
  config: Config;
  logger: Logger;
  registry: RegistryModule;
  publisher: EventPublisher;
  relay: OutboxRelay;
  audit: { store: AuditStore; writer: AuditWriter };
  clients: ClientStore;
  practitioners: PractitionerStore;
  /** The live settings in force (environment, then OpenHIM's console); subscribe to follow changes. */
  live: LiveSettingsHolder;
  /** The registration and heartbeat with OpenHIM Core; null unless OPENHIM_REGISTER=true. */
  openhim: MediatorLink | null;
  /** The compiled mappings (src/transforms). */
  transforms: Transforms;
  /** The channels, their stores and relays (src/sync); they follow the live settings. */
  sync: SyncModule;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Replaceable parts, for tests (memory twins) and tools (the evaluation CLI). Each part passed
 * replaces that part and nothing else: injecting a registry leaves the other stores where `storage` says.
 */
export interface AppOverrides {
  logger?: Logger;
  publisher?: EventPublisher;
  /**
   * Where the stores that are not passed below live: `mongodb` (the default: MONGODB_URI and
   * MONGODB_DB) or `memory` (in-memory twins: tests, demos; nothing survives the process).
   */
  storage?: 'mongodb' | 'memory';
  registry?: RegistryModule;
  clients?: ClientStore;
  audit?: AuditStore;
  practitioners?: PractitionerStore;
  /** Do not bind a port in start() (tests drive the server with inject). */
  listen?: boolean;
  /**
   * A failure that must stop the process (OpenHIM Core refused the credentials or the registration);
   * main.ts exits. Default: logged only.
   */
  onFatal?: (err: Error) => void;
  /** Faster retries towards OpenHIM Core (tests). */
  openhimBackoff?: { initialBackoffMs?: number; maxBackoffMs?: number };
  /** Run channels on their poll timers (default true; the sync command line runs one channel on demand). */
  scheduleChannels?: boolean;
}
