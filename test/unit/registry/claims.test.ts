/**
 * Lease acquisition with a store that batches: every free key is taken in one call, but only the
 * sorted prefix is kept, so two operations can never each hold a key the other waits for.
 */
import { withClaims } from '../../../src/registry/claims';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import type { ClaimStore } from '../../../src/registry/store';

const clock = { now: (): Date => new Date() };
const cfg = { leaseMs: 60_000, waitMs: 5_000 };

/** The memory twin's claims plus a batch call, counting calls. */
function batchingClaims(): { store: ClaimStore; calls: { many: number; one: number } } {
  const base = createMemoryRegistryStore().claims;
  const calls = { many: 0, one: 0 };
  const store: ClaimStore = {
    tryAcquire: async (...a) => {
      calls.one += 1;
      return base.tryAcquire(...a);
    },
    tryAcquireMany: async (keys, owner, expiresAt, now) => {
      calls.many += 1;
      const got: string[] = [];
      for (const k of keys) if (await base.tryAcquire(k, owner, expiresAt, now)) got.push(k);
      return got;
    },
    release: (keys, owner) => base.release(keys, owner),
  };
  return { store, calls };
}

test('free keys are all taken in one call', async () => {
  const { store, calls } = batchingClaims();
  await withClaims(store, ['b', 'a', 'c', 'a'], 'me', clock, cfg, async () => undefined);
  expect(calls).toEqual({ many: 1, one: 0 });
  // Released afterwards: another owner takes them at once.
  expect(await store.tryAcquireMany?.(['a', 'b', 'c'], 'other', new Date(Date.now() + 1000), new Date())).toEqual(['a', 'b', 'c']);
});

test('keys beyond the first busy one are given back while waiting, then everything is held', async () => {
  const { store } = batchingClaims();
  const far = new Date(Date.now() + 60_000);
  await store.tryAcquire('b', 'other', far, new Date());
  let inside = false;
  const run = withClaims(store, ['a', 'b', 'c'], 'me', clock, cfg, async () => {
    inside = true;
  });
  await new Promise((r) => setTimeout(r, 30));
  expect(inside).toBe(false);
  // 'a' (before the busy key) is held; 'c' (after it) was given back, so anyone may take it meanwhile.
  expect(await store.tryAcquire('a', 'third', far, new Date())).toBe(false);
  expect(await store.tryAcquire('c', 'third', far, new Date())).toBe(true);
  await store.release(['c'], 'third');
  await store.release(['b'], 'other');
  await run;
  expect(inside).toBe(true);
});

test('two operations wanting overlapping keys in opposite order both finish', async () => {
  const { store } = batchingClaims();
  const order: string[] = [];
  const op = (name: string, keys: string[]): Promise<void> =>
    withClaims(store, keys, name, clock, cfg, async () => {
      order.push(name);
      await new Promise((r) => setTimeout(r, 5));
    });
  await Promise.all([op('x', ['k1', 'k2', 'k3']), op('y', ['k3', 'k2', 'k1']), op('z', ['k2', 'k4'])]);
  expect(order.sort()).toEqual(['x', 'y', 'z']);
});
