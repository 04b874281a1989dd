/** MongoDB's (and FerretDB's) error code for a unique-index violation. */
export const DUPLICATE_KEY = 11000;

/**
 * Whether a driver error is a unique-index violation (duplicate `_id` or unique key).
 * @param err - anything thrown by the driver
 */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY;
}
