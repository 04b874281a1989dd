/**
 * `GET /fhir/metadata`: a CapabilityStatement generated from the route table (and the capabilities of
 * the routes other modules serve under /fhir: the AuditEvent search), so it lists exactly what is
 * implemented. Public.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';
import { allOk } from './outcomes';
import type { Capability, FhirRoute } from './router';
import type { FhirHandler } from './types';

type Rest = CapabilityStatement['rest'] extends Array<infer R> | undefined ? R : never;

function resourceOf(map: Map<string, CapabilityStatementRestResource>, type: string): CapabilityStatementRestResource {
  const found = map.get(type);
  if (found) return found;
  const r: CapabilityStatementRestResource = { type: type as CapabilityStatementRestResource['type'], interaction: [] };
  map.set(type, r);
  return r;
}

function apply(rest: Rest, map: Map<string, CapabilityStatementRestResource>, c: Capability): void {
  switch (c.kind) {
    case 'interaction':
      resourceOf(map, c.resource).interaction?.push({ code: c.code });
      return;
    case 'search':
      resourceOf(map, c.resource).searchParam = c.params.map((p) => ({ name: p.name, type: p.type, ...(p.documentation ? { documentation: p.documentation } : {}) }));
      return;
    case 'conditional': {
      const r = resourceOf(map, c.resource);
      if (c.code === 'conditionalDelete') r.conditionalDelete = 'single';
      else r[c.code] = true;
      return;
    }
    case 'operation': {
      const op = { name: c.name, definition: c.definition };
      if (c.resource) (resourceOf(map, c.resource).operation ??= []).push(op);
      else (rest.operation ??= []).push(op);
      return;
    }
    case 'system':
      (rest.interaction ??= []).push({ code: c.code, ...(c.documentation ? { documentation: c.documentation } : {}) });
  }
}

/**
 * Build the CapabilityStatement of a route table.
 * @param routes - the FHIR routes
 * @param baseUrl - the FHIR base URL
 * @param version - the software version
 * @param external - capabilities of routes other modules serve under the FHIR base
 */
export function buildCapabilityStatement(routes: readonly FhirRoute[], baseUrl: string, version: string, external: readonly Capability[] = []): CapabilityStatement {
  const rest: Rest = { mode: 'server', documentation: 'Passerelle master patient index: IHE PIXm, PDQm, PMIR and FHIR $match. Scopes: system/Patient.read, system/Patient.write, system/Practitioner.read.' };
  const map = new Map<string, CapabilityStatementRestResource>();
  for (const c of [...routes.flatMap((route) => route.capabilities ?? []), ...external]) apply(rest, map, c);
  for (const r of map.values()) {
    if (r.interaction?.length === 0) delete r.interaction;
    if (r.type === 'Patient') Object.assign(r, { versioning: 'versioned-update', readHistory: true, updateCreate: false, conditionalRead: 'not-supported' });
  }
  rest.resource = [...map.values()].sort((a, b) => a.type.localeCompare(b.type));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Passerelle', version },
    implementation: { description: 'Passerelle FHIR R4 API', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/fhir+xml'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json'],
    instantiates: [
      'https://profiles.ihe.net/ITI/PIXm/CapabilityStatement/IHE.PIXm.Manager',
      'https://profiles.ihe.net/ITI/PDQm/CapabilityStatement/IHE.PDQm.Supplier',
      'https://profiles.ihe.net/ITI/PMIR/CapabilityStatement/IHE.PMIR.Manager',
    ],
    rest: [rest],
  };
}

/**
 * The metadata handler (the statement is built once per route table).
 * @param routes - the FHIR routes
 * @param version - the software version
 * @param external - capabilities of routes other modules serve under the FHIR base
 */
export function metadata(routes: readonly FhirRoute[], version: string, external: readonly Capability[] = []): FhirHandler {
  let cached: CapabilityStatement | undefined;
  return async (_req, api) => {
    cached ??= buildCapabilityStatement(routes, api.baseUrl, version, external);
    return [allOk(), cached];
  };
}
