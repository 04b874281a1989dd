/**
 * Checks on resources received from clients, before anything reaches the registry: shape, type,
 * id consistency, unknown elements (via the `fhir` package), real calendar dates, and no key that a
 * document database could read as an operator or a path (`$...`, `a.b`, `__proto__`).
 */
import type { OperationOutcome, Resource } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { FhirFormats } from './format';

type Issue = OperationOutcome['issue'][number];

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATETIME_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(?:\.\d+)?(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00))?)?)?$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whether a FHIR date/dateTime denotes a real calendar date.
 * @param value - `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a dateTime
 * @param withTime - accept a dateTime
 */
export function isValidFhirDate(value: string, withTime = false): boolean {
  const m = (withTime ? DATETIME_RE : DATE_RE).exec(value);
  if (!m) {
    return false;
  }
  const [, y, mo, d] = m;
  if (mo === undefined) {
    return true;
  }
  const month = Number(mo);
  if (month < 1 || month > 12) {
    return false;
  }
  if (d === undefined) {
    return true;
  }
  const day = Number(d);
  const days = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return day >= 1 && day <= days;
}

function walkKeys(value: unknown, path: string, issues: Issue[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walkKeys(v, `${path}[${i}]`, issues));
    return;
  }
  if (typeof value !== 'object' || value === null) {
    return;
  }
  for (const key of Object.keys(value)) {
    if (key.startsWith('$') || key.includes('.') || FORBIDDEN_KEYS.has(key)) {
      issues.push({ severity: 'error', code: 'structure', diagnostics: 'Element name not allowed', expression: [path] });
      continue;
    }
    walkKeys((value as Record<string, unknown>)[key], `${path}.${key}`, issues);
  }
}

function dateIssues(resource: Record<string, unknown>, type: string): Issue[] {
  const issues: Issue[] = [];
  const check = (field: string, withTime: boolean): void => {
    const v = resource[field];
    if (v !== undefined && (typeof v !== 'string' || !isValidFhirDate(v, withTime))) {
      issues.push({ severity: 'error', code: 'value', diagnostics: `Invalid ${field}`, expression: [`${type}.${field}`] });
    }
  };
  check('birthDate', false);
  check('deceasedDateTime', true);
  return issues;
}

/**
 * Validate a resource received from a client; throws an `invalid` MediatorError listing every issue.
 * @param body - the parsed body
 * @param expectedType - the resource type the URL expects
 * @param formats - the FHIR (de)serialiser, for structural validation
 * @param urlId - the id in the URL (update): the body must carry the same id
 */
export function validateResource<T extends Resource>(body: unknown, expectedType: string, formats: FhirFormats, urlId?: string): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MediatorError('invalid', `Expected a ${expectedType} resource`);
  }
  const resource = body as Record<string, unknown>;
  if (resource.resourceType !== expectedType) {
    throw new MediatorError('invalid', `Expected resourceType ${expectedType}`, { expression: 'resourceType' });
  }
  if (urlId !== undefined && resource.id !== urlId) {
    throw new MediatorError('invalid', 'The resource id must match the id in the URL', { expression: `${expectedType}.id` });
  }
  const issues: Issue[] = [];
  walkKeys(resource, expectedType, issues);
  if (issues.length === 0) {
    issues.push(...dateIssues(resource, expectedType));
    for (const m of formats.validate(resource as unknown as Resource)) {
      issues.push({ severity: 'error', code: 'structure', diagnostics: m.message ?? 'Invalid element', expression: m.location ? [m.location] : undefined });
    }
  }
  if (issues.length > 0) {
    throw new MediatorError('invalid', `The ${expectedType} is not valid`, { issues });
  }
  return resource as unknown as T;
}
