/**
 * Terminology over the loaded resources: read and search of CodeSystem / ValueSet / ConceptMap,
 * `CodeSystem/$lookup`, `$validate-code` (CodeSystem and ValueSet), `ValueSet/$expand`,
 * `ConceptMap/$translate`. GET with query parameters, or POST with a Parameters body.
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import { allOk } from '../outcomes';
import { parseControls, searchset } from '../search/searchset';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';

type TermType = 'CodeSystem' | 'ValueSet' | 'ConceptMap';

function param(req: FhirRequest, name: string): string | undefined {
  const q = req.query[name]?.[0];
  if (q !== undefined) return q;
  const p = (req.body as Parameters | undefined)?.parameter?.find((x) => x.name === name);
  if (!p) return undefined;
  const v = p.valueUri ?? p.valueCode ?? p.valueString ?? p.valueCanonical ?? p.valueUrl;
  return v ?? p.valueCoding?.code;
}

function required(req: FhirRequest, name: string): string {
  const v = param(req, name);
  if (!v) throw new MediatorError('invalid', `Parameter ${name} is required`, { expression: name });
  return v;
}

function parameters(parameter: ParametersParameter[]): Parameters {
  return { resourceType: 'Parameters', parameter };
}

/** @param type - the terminology resource type */
export function readTerminology(type: TermType): FhirHandler {
  return async (req, api) => {
    const r = api.terminology.get(type, req.params.id ?? '');
    if (!r) throw new MediatorError('not-found', `${type} not found`);
    return [allOk(), r];
  };
}

/** @param type - the terminology resource type (search by `url`, `name`) */
export function searchTerminology(type: TermType): FhirHandler {
  return async (req, api) => {
    const url = req.query.url?.[0];
    const name = req.query.name?.[0]?.toLowerCase();
    const all = api.terminology.list(type).filter((r) => (!url || r.url === url) && (!name || (r.name ?? '').toLowerCase().startsWith(name)));
    const controls = parseControls(req.query, api.defaultCount, api.maxCount);
    const honoured: Array<[string, string]> = [...(url ? [['url', url] as [string, string]] : []), ...(name ? [['name', name] as [string, string]] : [])];
    const resources = all.slice(controls.offset, controls.offset + controls.count);
    return [allOk(), searchset({ baseUrl: api.baseUrl, path: type, honoured, controls, total: all.length, resources })];
  };
}

/** `CodeSystem/$lookup?system=&code=`. */
export const lookupCode: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const found = api.terminology.lookup(required(req, 'system'), required(req, 'code'));
  if (!found) throw new MediatorError('not-found', 'Code not found in the code system');
  const p: ParametersParameter[] = [{ name: 'name', valueString: found.codeSystem.name ?? found.codeSystem.url ?? '' }];
  if (found.codeSystem.version) p.push({ name: 'version', valueString: found.codeSystem.version });
  if (found.concept.display) p.push({ name: 'display', valueString: found.concept.display });
  return [allOk(), parameters(p)];
};

/** @param type - CodeSystem (`url` = code system) or ValueSet (`url` = value set) */
export function validateCode(type: 'CodeSystem' | 'ValueSet'): FhirHandler {
  return async (req, api) => {
    const code = required(req, 'code');
    const url = required(req, 'url');
    const display = param(req, 'display');
    const r = type === 'ValueSet' ? api.terminology.validateCode({ valueSetUrl: url, system: param(req, 'system'), code, display }) : api.terminology.validateCode({ system: url, code, display });
    const p: ParametersParameter[] = [{ name: 'result', valueBoolean: r.result }];
    if (r.message) p.push({ name: 'message', valueString: r.message });
    if (r.display) p.push({ name: 'display', valueString: r.display });
    return [allOk(), parameters(p)];
  };
}

/** `ValueSet/$expand?url=&filter=`. */
export const expandValueSet: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const vs = api.terminology.expand(required(req, 'url'), param(req, 'filter'));
  if (!vs) throw new MediatorError('not-found', 'ValueSet not found');
  return [allOk(), vs];
};

/** `ConceptMap/$translate?url=&system=&code=&targetsystem=`. */
export const translateCode: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const matches = api.terminology.translate(param(req, 'url'), param(req, 'system'), required(req, 'code'), param(req, 'targetsystem'));
  const p: ParametersParameter[] = [{ name: 'result', valueBoolean: matches.length > 0 }];
  if (matches.length === 0) p.push({ name: 'message', valueString: 'No translation found' });
  for (const m of matches) {
    p.push({
      name: 'match',
      part: [
        { name: 'equivalence', valueCode: m.equivalence },
        { name: 'concept', valueCoding: { system: m.system, code: m.code, ...(m.display ? { display: m.display } : {}) } },
        { name: 'source', valueUri: m.source },
      ],
    });
  }
  return [allOk(), parameters(p)];
};
