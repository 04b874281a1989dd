/**
 * /health (liveness: the process answers), /ready (MongoDB and Kafka reachable; names what is not)
 * and Prometheus /metrics.
 */
import type { Plugin } from '@hapi/hapi';
import type { Registry } from 'prom-client';

/** One dependency probed by /ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export interface HealthOptions {
  checks: ReadinessCheck[];
  metrics: Registry;
  version: string;
  /** True once shutdown has begun: /ready turns 503 so load balancers drain us. */
  isStopping(): boolean;
  timeoutMs?: number;
}

async function probe(c: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([c.check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
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
        const results = await Promise.all(opts.checks.map(async (c) => [c.name, await probe(c, opts.timeoutMs ?? 2000)] as const));
        const down = results.filter(([, ok]) => !ok).map(([name]) => name);
        if (opts.isStopping()) down.push('shutting-down');
        const body = { status: down.length === 0 ? 'ready' : 'unavailable', checks: Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'up' : 'down'])), down };
        return h.response(body).code(down.length === 0 ? 200 : 503);
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
