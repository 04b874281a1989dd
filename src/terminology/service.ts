/**
 * Terminology operations over the loaded CodeSystems, ValueSets and ConceptMaps: lookup,
 * validate-code, expand and translate. Pure, in memory; built once at start.
 */
import type { CodeSystem, CodeSystemConcept, ConceptMap, ValueSet, ValueSetExpansionContains } from 'fhir/r4';
import type { TerminologyResource } from './load';
import { translate } from './translate';
import type { TranslateMatch } from './translate';

/** The terminology service the FHIR API and the mappings use. */
export interface TerminologyService {
  list(type: 'CodeSystem' | 'ValueSet' | 'ConceptMap'): TerminologyResource[];
  get(type: 'CodeSystem' | 'ValueSet' | 'ConceptMap', id: string): TerminologyResource | undefined;
  lookup(system: string, code: string): { codeSystem: CodeSystem; concept: CodeSystemConcept } | undefined;
  /** Validate against a ValueSet (`valueSetUrl`) or a CodeSystem (`system`). */
  validateCode(opts: { valueSetUrl?: string; system?: string; code: string; display?: string }): { result: boolean; message?: string; display?: string };
  /** Expand a ValueSet; undefined when unknown. */
  expand(valueSetUrl: string, filter?: string): ValueSet | undefined;
  translate(conceptMapUrl: string | undefined, system: string | undefined, code: string, targetSystem?: string): TranslateMatch[];
}

function flatten(concepts: CodeSystemConcept[] | undefined): CodeSystemConcept[] {
  return (concepts ?? []).flatMap((c) => [c, ...flatten(c.concept)]);
}

function findConcept(cs: CodeSystem, code: string): CodeSystemConcept | undefined {
  const eq = cs.caseSensitive === false ? (a: string): boolean => a.toLowerCase() === code.toLowerCase() : (a: string): boolean => a === code;
  return flatten(cs.concept).find((c) => eq(c.code));
}

/**
 * Build the service.
 * @param resources - CodeSystems, ValueSets and ConceptMaps (later ones win on duplicate url)
 */
export function createTerminologyService(resources: TerminologyResource[]): TerminologyService {
  const codeSystems = new Map<string, CodeSystem>();
  const valueSets = new Map<string, ValueSet>();
  const maps: ConceptMap[] = [];
  for (const r of resources) {
    if (r.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
    else if (r.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
    else if (r.resourceType === 'ConceptMap') maps.push(r);
  }
  const contains = (vs: ValueSet): ValueSetExpansionContains[] =>
    (vs.compose?.include ?? []).flatMap((inc) => {
      if (inc.concept) return inc.concept.map((c) => ({ system: inc.system, code: c.code, display: c.display }));
      const cs = inc.system ? codeSystems.get(inc.system) : undefined;
      return flatten(cs?.concept).map((c) => ({ system: inc.system, code: c.code, display: c.display }));
    });
  const service: TerminologyService = {
    list: (type) => resources.filter((r) => r.resourceType === type),
    get: (type, id) => resources.find((r) => r.resourceType === type && r.id === id),
    lookup(system, code) {
      const cs = codeSystems.get(system);
      const concept = cs ? findConcept(cs, code) : undefined;
      return cs && concept ? { codeSystem: cs, concept } : undefined;
    },
    validateCode({ valueSetUrl, system, code, display }) {
      if (valueSetUrl !== undefined) {
        const vs = valueSets.get(valueSetUrl);
        if (!vs) return { result: false, message: 'Unknown value set' };
        const hit = contains(vs).find((c) => c.code === code && (system === undefined || c.system === system));
        return hit ? { result: true, display: hit.display } : { result: false, message: `Code ${code} is not in the value set` };
      }
      const found = system !== undefined ? service.lookup(system, code) : undefined;
      if (!found) return { result: false, message: system !== undefined && codeSystems.has(system) ? `Unknown code ${code}` : 'Unknown code system' };
      if (display !== undefined && display !== found.concept.display) return { result: false, message: 'Display does not match', display: found.concept.display };
      return { result: true, display: found.concept.display };
    },
    expand(valueSetUrl, filter) {
      const vs = valueSets.get(valueSetUrl);
      if (!vs) return undefined;
      const f = filter?.toLowerCase();
      const items = contains(vs).filter((c) => !f || (c.display ?? c.code ?? '').toLowerCase().includes(f) || (c.code ?? '').toLowerCase().includes(f));
      return { ...vs, expansion: { identifier: `urn:uuid:${crypto.randomUUID()}`, timestamp: new Date().toISOString(), total: items.length, ...(items.length > 0 ? { contains: items } : {}) } };
    },
    translate: (url, system, code, targetSystem) => translate(maps, url, system, code, targetSystem),
  };
  return service;
}
