/**
 * ConceptMap translation as a pure function, shared by `ConceptMap/$translate` and the JSONata
 * `$translate` mapping function. Honours `group.unmapped` (`provided`, `fixed`).
 */
import type { ConceptMap } from 'fhir/r4';

/** One translation result. */
export interface TranslateMatch {
  system?: string;
  code: string;
  display?: string;
  equivalence: string;
  /** The ConceptMap that produced the match. */
  source: string;
}

/**
 * Translate a code with the ConceptMap whose `url` is `conceptMapUrl` (or every map when undefined).
 * @param maps - the loaded ConceptMaps
 * @param conceptMapUrl - canonical URL of the map, or undefined for all maps
 * @param system - source code system (undefined: any group)
 * @param code - source code
 * @param targetSystem - restrict results to this target system
 */
export function translate(maps: readonly ConceptMap[], conceptMapUrl: string | undefined, system: string | undefined, code: string, targetSystem?: string): TranslateMatch[] {
  const out: TranslateMatch[] = [];
  for (const map of maps) {
    if (conceptMapUrl !== undefined && map.url !== conceptMapUrl) continue;
    for (const group of map.group ?? []) {
      if ((system !== undefined && group.source !== system) || (targetSystem !== undefined && group.target !== targetSystem)) continue;
      const element = group.element?.find((e) => e.code === code);
      for (const t of element?.target ?? []) {
        if (t.code !== undefined) out.push({ system: group.target, code: t.code, display: t.display, equivalence: t.equivalence, source: map.url ?? '' });
      }
      if (!element && group.unmapped) {
        const u = group.unmapped;
        if (u.mode === 'provided') out.push({ system: group.target, code, equivalence: 'equal', source: map.url ?? '' });
        if (u.mode === 'fixed' && u.code) out.push({ system: group.target, code: u.code, display: u.display, equivalence: 'inexact', source: map.url ?? '' });
      }
    }
  }
  return out;
}

/**
 * A translator bound to a set of maps: `(conceptMapUrl, system, code) → first target code or undefined`,
 * the shape the JSONata `$translate` function needs.
 * @param maps - the loaded ConceptMaps
 */
export function createTranslator(maps: readonly ConceptMap[]): (conceptMapUrl: string, system: string | undefined, code: string) => string | undefined {
  return (conceptMapUrl, system, code) => translate(maps, conceptMapUrl, system, code).find((m) => m.equivalence !== 'unmatched' && m.equivalence !== 'disjoint')?.code;
}
