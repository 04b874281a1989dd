import type { Logger } from './logger';

/**
 * Run `fn` until it succeeds, with exponential backoff capped at `maxMs`, unless `signal` aborts.
 * Used for connections at start-up: a dependency that is down must not stop the process.
 * @param name - what is being retried (for logs)
 * @param fn - the attempt
 * @param opts - logger, abort signal and pacing
 */
export async function retryForever(
  name: string,
  fn: () => Promise<void>,
  opts: { logger: Logger; signal: AbortSignal; initialMs?: number; maxMs?: number },
): Promise<boolean> {
  let delay = opts.initialMs ?? 250;
  for (let attempt = 1; !opts.signal.aborted; attempt += 1) {
    try {
      await fn();
      if (attempt > 1) opts.logger.info({ dependency: name, attempt }, 'dependency connected');
      return true;
    } catch (err) {
      opts.logger.warn({ dependency: name, attempt, err, retryInMs: delay }, 'dependency not reachable; retrying');
      await sleep(delay, opts.signal);
      delay = Math.min(opts.maxMs ?? 10000, delay * 2);
    }
  }
  return false;
}

/**
 * Resolve after `ms`, or earlier when the signal aborts.
 * @param ms - delay
 * @param signal - optional abort signal
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
