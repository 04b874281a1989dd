/** MongoDB's error code for a unique-index violation. */
export const DUPLICATE_KEY = 11000;

/**
 * Whether a driver error is a unique-index violation (duplicate `_id` or unique key).
 * @param err - anything thrown by the driver
 */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY;
}

/**
 * Run an upsert by `_id`; when it loses the race to insert a new document against a concurrent
 * writer of the same `_id` (a duplicate-key error), run it once more: the document exists now, so
 * the second run updates it. MongoDB ≥ 4.2 retries such upserts on the server; FerretDB does not, and
 * the race is real here (recovery re-applying a change its writer is still applying).
 * @param write - the upsert (run at most twice)
 */
export async function upsertOnce<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return write();
  }
}
