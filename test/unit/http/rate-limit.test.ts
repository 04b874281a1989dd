import { RateLimiter } from '../../../src/http/rate-limit';

function limiterAt(perMinute: number, startIso = '2026-01-01T00:00:00Z'): { limiter: RateLimiter; advance(ms: number): void } {
  let t = Date.parse(startIso);
  return { limiter: new RateLimiter({ perMinute, clock: { now: () => new Date(t) } }), advance: (ms) => void (t += ms) };
}

function allowedOf(limiter: RateLimiter, key: string, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (limiter.consume(key).allowed) allowed++;
  return allowed;
}

describe('RateLimiter (token bucket)', () => {
  test('a burst is served up to the budget, then refused with the wait for the next token', () => {
    const { limiter } = limiterAt(60);
    expect(allowedOf(limiter, 'c', 60)).toBe(60);
    // 60 per minute: one token a second.
    expect(limiter.consume('c')).toEqual({ allowed: false, limit: 60, remaining: 0, resetSeconds: 60, retryAfterSeconds: 1 });
  });

  test('no second budget across a minute boundary (fixed windows allowed 2x the limit there)', () => {
    const { limiter, advance } = limiterAt(50, '2026-01-01T00:00:59.900Z');
    const before = allowedOf(limiter, 'c', 50);
    advance(200); // now 00:01:00.100, past the boundary
    expect(before).toBe(50);
    expect(allowedOf(limiter, 'c', 50)).toBe(0);
  });

  test('tokens come back gradually, one per 60/limit seconds', () => {
    const { limiter, advance } = limiterAt(60);
    allowedOf(limiter, 'c', 60);
    advance(999);
    expect(limiter.consume('c').allowed).toBe(false);
    advance(1);
    expect(limiter.consume('c')).toMatchObject({ allowed: true, remaining: 0 });
    advance(30_000);
    expect(limiter.consume('c')).toMatchObject({ allowed: true, remaining: 29, resetSeconds: 31 });
  });

  test('keys have separate budgets and a per-call limit overrides the default', () => {
    const { limiter } = limiterAt(1);
    expect(limiter.consume('a').allowed).toBe(true);
    expect(limiter.consume('b').allowed).toBe(true);
    expect(limiter.consume('a').allowed).toBe(false);
    expect(allowedOf(limiter, 'big', 10)).toBe(1);
    expect(limiter.consume('other', 5)).toMatchObject({ allowed: true, limit: 5, remaining: 4 });
  });

  test('the number of tracked keys stays bounded, idle keys going first', () => {
    let t = 0;
    const limiter = new RateLimiter({ perMinute: 2, maxKeys: 100, clock: { now: () => new Date(t) } });
    limiter.consume('busy');
    limiter.consume('busy');
    for (let i = 0; i < 1000; i++) {
      t += 1;
      limiter.consume(`ip:${i}`);
    }
    const size = (limiter as unknown as { buckets: Map<string, unknown> }).buckets.size;
    expect(size).toBeLessThanOrEqual(100);
  });

  test('eviction judges each bucket by its own limit: a part-spent larger budget is not reset', () => {
    let t = 0;
    const limiter = new RateLimiter({ perMinute: 2, maxKeys: 4, clock: { now: () => new Date(t) } });
    limiter.consume('idle');
    t += 60_000; // 'idle' is full again: the first to go
    for (let i = 0; i < 30; i++) limiter.consume('big', 100);
    limiter.consume('b');
    limiter.consume('c');
    limiter.consume('d'); // fifth key: eviction runs
    const buckets = (limiter as unknown as { buckets: Map<string, unknown> }).buckets;
    expect(buckets.has('idle')).toBe(false);
    expect(limiter.consume('big', 100).remaining).toBe(69);
  });
});
