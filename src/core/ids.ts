/**
 * Ids. UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter (method 1 of
 * §6.2) and 62 random bits. Ids made by one process sort, as strings, in the order they were made —
 * so records created in the same millisecond (a page of registrations committing as one unit)
 * still list in creation order when ties on their timestamps are broken by id.
 */
import { createHash, randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/** Random bytes drawn 256 ids at a time: one call into the CSPRNG per 256 ids, not one per id. */
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolNext = POOL_IDS;

/** Advance the clock of the next id: the counter restarts each millisecond and carries into it. */
function tick(now: number): void {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next one, so the order still holds.
    lastMs += 1;
    counter = 0;
  }
}

/** The offset in `pool` of 16 fresh random bytes, used once (the caller overwrites some of them). */
function randomSlot(): number {
  if (poolNext === POOL_IDS) {
    randomFillSync(pool);
    poolNext = 0;
  }
  return 16 * poolNext++;
}

/**
 * A new UUIDv7, monotonic within this process.
 * @param now - the clock in Unix milliseconds (tests pass one)
 */
export function uuidV7(now: number = Date.now()): string {
  tick(now);
  const at = randomSlot();
  pool.writeUIntBE(lastMs, at, 6);
  pool[at + 6] = 0x70 | (counter >> 8);
  pool[at + 7] = counter & 0xff;
  pool[at + 8] = 0x80 | ((pool[at + 8] as number) & 0x3f);
  return uuidLayout(pool.toString('hex', at, at + 16));
}

/** Hex digits in the 8-4-4-4-12 UUID layout. */
function uuidLayout(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * A name-based UUID (version 8, RFC 9562 §5.8, from SHA-256 of `name`): the same name always gives
 * the same id — for event ids that must not change when an event is rebuilt.
 * @param name - what the id stands for
 */
export function uuidFrom(name: string): string {
  const b = createHash('sha256').update(name).digest().subarray(0, 16);
  b[6] = 0x80 | ((b[6] as number) & 0x0f);
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  return uuidLayout(b.toString('hex'));
}
