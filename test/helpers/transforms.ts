/**
 * Mappings as the mediator builds them, for tests: default live settings with overrides, a phone
 * country, and the bundled terminology and mappings.
 */
import { parseLiveSettings } from '../../src/config/live';
import type { LiveSettings } from '../../src/config/live';
import type { Transforms } from '../../src/transforms';
import { buildTransforms } from '../../src/transforms-module';

/**
 * Live settings: the defaults with overrides (throws listing the problems of an invalid override).
 * @param overrides - live-settings keys and values
 */
export function liveSettings(overrides: Record<string, unknown> = {}): LiveSettings {
  const r = parseLiveSettings(overrides);
  if (!r.ok) throw new Error(`invalid live settings: ${r.problems.join('; ')}`);
  return r.settings;
}

/**
 * Compiled mappings over the given settings.
 * @param overrides - live-settings overrides
 * @param opts - phone country (default SL) and a MAPPINGS_DIR
 */
export function testTransforms(overrides: Record<string, unknown> = {}, opts: { phoneCountry?: string; mappingsDir?: string } = {}): Transforms {
  const live = liveSettings(overrides);
  return buildTransforms({ live: () => live, phoneCountry: opts.phoneCountry ?? 'SL', mappingsDir: opts.mappingsDir });
}
