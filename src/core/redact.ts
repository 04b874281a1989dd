/**
 * PII redaction for logs. Names, birth dates, identifiers, phone numbers and addresses never reach a
 * log line: known personal keys are replaced wholesale, and free text (error messages, which may echo
 * a duplicate key or a payload fragment) is scrubbed of date-like and long digit sequences.
 */

export const REDACTED = '[redacted]';

// Compared lower-cased with `_` and `-` removed, so `first_name`, `firstName` and `FIRST-NAME` all hit.
const PII_KEYS = new Set([
  'name', 'names', 'given', 'family', 'firstname', 'lastname', 'middlename', 'surname', 'givenname', 'familyname',
  'fullname', 'text', 'birthdate', 'dateofbirth', 'dob', 'telecom', 'phone', 'phonenumber', 'mobile', 'email',
  'identifier', 'identifiers', 'externalids', 'nationalid', 'nin', 'ssn', 'socsecid', 'address', 'addressline',
  'line', 'city', 'postcode', 'postalcode', 'patient', 'resource', 'payload', 'received', 'body', 'attributes',
  'value', 'features', 'mothersmaidenname', 'contact', 'photo', 'token', 'authorization', 'password', 'secret',
  'clientsecret', 'cookie', 'q',
]);

const MAX_DEPTH = 8;

/**
 * True when a key names personal data or a credential.
 * @param key - an object key as logged
 */
export function isPiiKey(key: string): boolean {
  return PII_KEYS.has(key.toLowerCase().replace(/[_-]/g, ''));
}

/**
 * Remove date-like strings, long digit runs and Mongo duplicate-key echoes from free text.
 * @param text - a message that may embed user data
 */
export function scrubText(text: string): string {
  return text
    .replace(/dup key: \{[^}]*\}/g, `dup key: ${REDACTED}`)
    .replace(/\b\d{4}[-/.]?\d{2}[-/.]?\d{2}\b/g, REDACTED)
    .replace(/\+?\d[\d\s-]{6,}\d/g, REDACTED);
}

// Errors whose messages we write ourselves or that describe connections, never records. Any other
// error's message may echo a payload (a name, a birth date), so only its type, code and origin are logged.
const TRUSTED_MESSAGES = /^(MediatorError|UpstreamError|ConfigError|MongoNetworkError|MongoServerSelectionError|MongoNetworkTimeoutError|MongoTopologyClosedError|Kafka\w*Error)$/;

/**
 * An Error from this or another realm (jest and vm contexts fail `instanceof Error`).
 * @param value - anything
 */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * A log-safe summary of an error: type, code, first stack frame, and the message only when trusted.
 * @param e - the error
 */
export function errorSummary(e: Error): Record<string, unknown> {
  const frame = e.stack?.split('\n').find((l) => l.trim().startsWith('at '))?.trim();
  const code = (e as { code?: unknown }).code;
  return {
    type: e.name,
    ...(TRUSTED_MESSAGES.test(e.name) ? { message: scrubText(e.message) } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(frame ? { at: frame } : {}),
  };
}

/**
 * Deep-copy a log object with every personal field replaced by `[redacted]`.
 * @param value - any loggable value
 * @param depth - current depth (internal)
 */
export function redactPii(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (isError(value)) return errorSummary(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactPii(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isPiiKey(k) ? REDACTED : redactPii(v, depth + 1);
  }
  return out;
}
