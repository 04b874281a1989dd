/**
 * Deep copy of JSON data, by a plain recursive walk. Used instead of `structuredClone`, which
 * serialises through V8's value serializer (several times slower for the small FHIR objects the
 * registry copies on every registration) and whose arrays fail `instanceof Array` checks (the `fhir`
 * validator's) when created in another realm, e.g. under Jest. Like `JSON.parse(JSON.stringify(…))`,
 * it drops properties whose value is undefined; Dates become ISO strings.
 * @param value - JSON-compatible data
 */
export function jsonClone<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out[i] = v === undefined ? null : copy(v);
    }
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = copy(v);
  }
  return out;
}
