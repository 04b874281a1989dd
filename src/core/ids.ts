/**
 * Ids. UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter (method 1 of
 * §6.2) and 62 random bits. Ids made by one process sort, as strings, in the order they were made —
 * so records created in the same millisecond (a page of registrations committing as one unit)
 * still list in creation order when ties on their timestamps are broken by id.
 */
import { createHash, randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/** Milliseconds and counter of the next id: the counter restarts each millisecond and carries into it. */
function nextTick(now: number): { ms: number; seq: number } {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next one, so the order still holds.
    lastMs += 1;
    counter = 0;
  }
  return { ms: lastMs, seq: counter };
}

/**
 * A new UUIDv7, monotonic within this process.
 * @param now - the clock in Unix milliseconds (tests pass one)
 */
export function uuidV7(now: number = Date.now()): string {
  const { ms, seq } = nextTick(now);
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  return uuidLayout(b.toString('hex'));
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
