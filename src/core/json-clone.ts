/**
 * Deep copy of JSON data. Used instead of `structuredClone`, whose arrays fail `instanceof Array`
 * checks (the `fhir` validator's) when created in another realm, e.g. under Jest.
 * @param value - JSON-compatible data
 */
export function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
