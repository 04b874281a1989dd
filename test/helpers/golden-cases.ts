/**
 * The golden cases of the mappings: test/fixtures/transforms/<mapping>/<case>/ with `input.json`,
 * `expected.json` and an optional `settings.json` (live-settings overrides, plus `phoneCountry`).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The folder of the golden cases. */
export const GOLDEN_ROOT = join(__dirname, '../fixtures/transforms');

/** One golden case. */
export interface GoldenCase {
  mapping: string;
  name: string;
  dir: string;
}

/**
 * Parse a JSON file.
 * @param file - the file
 */
export const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** Every golden case, by mapping folder. */
export function goldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_ROOT).flatMap((mapping) =>
    existsSync(join(GOLDEN_ROOT, mapping)) && !mapping.includes('.')
      ? readdirSync(join(GOLDEN_ROOT, mapping)).map((name) => ({ mapping, name, dir: join(GOLDEN_ROOT, mapping, name) }))
      : [],
  );
}

/**
 * A case's live-settings overrides and phone country.
 * @param c - the case
 */
export function caseSettings(c: GoldenCase): { overrides: Record<string, unknown>; phoneCountry?: string } {
  const file = join(c.dir, 'settings.json');
  const { phoneCountry, ...overrides } = (existsSync(file) ? readJson(file) : {}) as Record<string, unknown>;
  return { overrides, phoneCountry: typeof phoneCountry === 'string' ? phoneCountry : undefined };
}
