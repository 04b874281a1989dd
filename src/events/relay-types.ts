/** The relay's options, observers and health report (relay.ts). */
import type { Logger } from '../core/logger';
import type { OutboxEvent } from '../core/types';
import type { EventPublisher, Outbox } from './ports';

/** Told about every batch published and every failure (metrics). */
export interface RelayObserver {
  published(events: OutboxEvent[], seconds: number): void;
  failed(err: unknown): void;
}

export interface RelayOptions {
  outbox: Outbox;
  publisher: EventPublisher;
  logger: Logger;
  batchSize?: number;
  idleMs?: number;
  maxBackoffMs?: number;
  observer?: RelayObserver;
}

/** What /ready reports about the relay. */
export interface RelayHealth {
  /** The last attempt failed; events wait in the outbox. */
  failing: boolean;
  lastError: string | null;
  /** Topics the broker reported missing on the last attempt. */
  missingTopics: string[];
  /** When the current run of failures began (ISO 8601). */
  failingSince: string | null;
}
