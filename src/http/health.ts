/**
 * /health (liveness: the process answers), /ready and Prometheus /metrics.
 *
 * /ready: 503 (`unavailable`) when a critical dependency is down (MongoDB: nothing can be stored) or
 * the process is shutting down; 200 `degraded`, with the reason, when only a non-critical one is
 * (Kafka: changes still commit and their events wait in the outbox); 200 `ready` otherwise.
 */
import type { Plugin } from '@hapi/hapi';
import type { Registry } from 'prom-client';

/** What a probe found: up or down, and why when down. */
export interface CheckOutcome {
  ok: boolean;
  reason?: string;
}

/** One dependency probed by /ready. */
export interface ReadinessCheck {
  name: string;
  /** Down means 503 when critical, `degraded` (still 200) otherwise. Default: critical. */
  critical?: boolean;
  check(): Promise<boolean | CheckOutcome>;
}

export interface HealthOptions {
  checks: ReadinessCheck[];
  metrics: Registry;
  version: string;
  /** True once shutdown has begun: /ready turns 503 so load balancers drain us. */
  isStopping(): boolean;
  timeoutMs?: number;
}

async function probe(c: ReadinessCheck, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const outcome = c.check().then((r) => (typeof r === 'boolean' ? { ok: r } : r), () => ({ ok: false }));
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The /ready body. */
interface Readiness {
  status: 'ready' | 'degraded' | 'unavailable';
  checks: Record<string, 'up' | 'down'>;
  down: string[];
  reasons?: Record<string, string>;
}

async function readiness(opts: HealthOptions): Promise<Readiness> {
  const results = await Promise.all(opts.checks.map(async (c) => ({ c, r: await probe(c, opts.timeoutMs ?? 2000) })));
  const failed = results.filter(({ r }) => !r.ok);
  const down = failed.map(({ c }) => c.name);
  const critical = failed.some(({ c }) => c.critical !== false) || opts.isStopping();
  if (opts.isStopping()) down.push('shutting-down');
  const reasons = Object.fromEntries(failed.filter(({ r }) => r.reason).map(({ c, r }) => [c.name, r.reason as string]));
  return {
    status: critical ? 'unavailable' : down.length > 0 ? 'degraded' : 'ready',
    checks: Object.fromEntries(results.map(({ c, r }) => [c.name, r.ok ? 'up' : 'down'])),
    down,
    ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
  };
}

export const healthPlugin: Plugin<HealthOptions> = {
  name: 'passerelle-health',
  register(server, opts) {
    const auth = false as const;
    server.route({
      method: 'GET',
      path: '/health',
      options: { auth, plugins: { passerelle: { public: true } } },
      handler: () => ({ status: 'ok', version: opts.version }),
    });
    server.route({
      method: 'GET',
      path: '/ready',
      options: { auth, plugins: { passerelle: { public: true } } },
      handler: async (_req, h) => {
        const body = await readiness(opts);
        return h.response(body).code(body.status === 'unavailable' ? 503 : 200);
      },
    });
    server.route({
      method: 'GET',
      path: '/metrics',
      options: { auth, plugins: { passerelle: { public: true } } },
      handler: async (_req, h) => h.response(await opts.metrics.metrics()).type(opts.metrics.contentType),
    });
  },
};
