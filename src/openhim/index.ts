/**
 * Passerelle's OpenHIM integration as the composition root uses it: the envelope plugin (always on:
 * any request carrying OpenHIM's transaction id gets an envelope) and, when OPENHIM_REGISTER is set,
 * the link that registers with Core, heartbeats and feeds Core's config to the live settings.
 */
import { readFileSync } from 'node:fs';
import type { Request, ServerRegisterPluginObject } from '@hapi/hapi';
import type { Env } from '../config';
import type { LiveSettingsHolder } from '../config/live-holder';
import type { Logger } from '../core/logger';
import { CoreApi } from './core-api';
import { MEDIATOR_CONFIG, registrationBody } from './mediator-config';
import { MediatorLink } from './mediator-link';
import type { MediatorLinkOptions } from './mediator-link';
import { openhimPlugin } from './plugin';
import type { OpenhimPluginOptions, PublishTracker } from './plugin';
import { transactionProperties } from './properties';
import type { TouchedIdentities } from './properties';

export { OpenhimSetupError } from './mediator-link';
export type { MediatorLink } from './mediator-link';

export interface OpenhimIntegrationOptions {
  env: Env;
  live: LiveSettingsHolder;
  logger: Logger;
  /** What a request touched (the audit note). */
  touchedBy: (request: Request) => TouchedIdentities;
  /** Whether identity events wait in the outbox because Kafka does not take them now. */
  eventsDelayed: () => boolean;
  /** The Kafka publishes of a transaction's events, as orchestrations. */
  publishes?: PublishTracker;
  /** Backoff overrides (tests). */
  backoff?: Pick<MediatorLinkOptions, 'initialBackoffMs' | 'maxBackoffMs'>;
}

export interface OpenhimIntegration {
  plugin: ServerRegisterPluginObject<OpenhimPluginOptions>;
  /** Null unless OPENHIM_REGISTER=true. */
  link: MediatorLink | null;
}

/** The operation a route declares for its audit record (`mpi.register`), else `METHOD /route/{template}`. */
function operationOf(request: Request): string {
  const declared = request.route.settings.plugins?.passerelle?.audit;
  return typeof declared === 'string' ? declared : `${request.method.toUpperCase()} ${request.route.path}`;
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`OPENHIM_CA_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Build the OpenHIM parts from validated configuration.
 * @param opts - environment, live settings, logger and the app's probes
 */
export function createOpenhimIntegration(opts: OpenhimIntegrationOptions): OpenhimIntegration {
  const { env, live, logger } = opts;
  const plugin: ServerRegisterPluginObject<OpenhimPluginOptions> = {
    plugin: openhimPlugin,
    options: {
      urn: MEDIATOR_CONFIG.urn,
      logger,
      propertiesOf: (request) => transactionProperties(opts.touchedBy(request), { requestId: request.app.caller.requestId, route: operationOf(request) }),
      eventsDelayed: opts.eventsDelayed,
      ...(opts.publishes ? { publishes: opts.publishes } : {}),
    },
  };
  if (!env.OPENHIM_REGISTER || !env.OPENHIM_API_URL) return { plugin, link: null };
  if (env.OPENHIM_TRUST_SELF_SIGNED && env.NODE_ENV === 'production') {
    logger.warn('OPENHIM_TRUST_SELF_SIGNED=true: the certificate of OpenHIM Core is not verified; set OPENHIM_CA_FILE instead');
  }
  const api = new CoreApi({
    apiUrl: env.OPENHIM_API_URL,
    username: env.OPENHIM_USERNAME ?? '',
    password: env.OPENHIM_PASSWORD ?? '',
    auth: env.OPENHIM_API_AUTH,
    trustSelfSigned: env.OPENHIM_TRUST_SELF_SIGNED,
    ...(env.OPENHIM_CA_FILE ? { ca: readCa(env.OPENHIM_CA_FILE) } : {}),
  });
  const link = new MediatorLink({
    api,
    registration: () => registrationBody(live.current),
    applyConfig: (config, source) => live.applyOverrides(config, source),
    logger,
    heartbeatMs: env.OPENHIM_HEARTBEAT_MS,
    configPollMs: env.OPENHIM_CONFIG_POLL_MS,
    ...opts.backoff,
  });
  return { plugin, link };
}
