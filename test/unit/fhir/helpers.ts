/**
 * A hapi server with the FHIR plugin over the in-memory registry (real matching engine), the bundled
 * terminology and an in-memory practitioner store; `call()` injects a request and checks the body
 * against the FHIR R4 schema.
 */
import { createServer } from 'node:net';
import Hapi from '@hapi/hapi';
import type { Server, ServerInjectResponse } from '@hapi/hapi';
import { fhirPlugin } from '../../../src/fhir/plugin';
import { errorMapperPlugin } from '../../../src/http/errors';
import { memoryLogger } from '../../helpers/silent-logger';
import { MemoryPractitionerStore } from '../../../src/practitioners/memory-store';
import { createMatchingEngine, defaultModel } from '../../../src/registry/matching';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { createRegistryService } from '../../../src/registry/service';
import type { InternalRegistryService } from '../../../src/registry/service';
import { bundledTerminologyDir, loadTerminology } from '../../../src/terminology/load';
import { createTerminologyService } from '../../../src/terminology/service';
import { expectValidFhir } from '../../helpers/fhir-schema';
import { NATIONAL_ID } from '../../helpers/patients';

// Compiling the FHIR schema (Bundle pulls in every resource) takes a few seconds per file.
jest.setTimeout(30000);

export const BASE = 'http://mpi.test/fhir';
export const NID = NATIONAL_ID;
export const DHIS2 = 'urn:dhis2:te';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface FhirTestServer {
  server: Server;
  registry: InternalRegistryService;
  practitioners: MemoryPractitionerStore;
}

/**
 * Build the test server.
 * @param opts - body limit, `_count` bound, and `loopback` to listen on 127.0.0.1 (ephemeral port) when started
 */
export async function buildFhirServer(opts: { maxBytes?: number; maxCount?: number; loopback?: boolean } = {}): Promise<FhirTestServer> {
  const registry = createRegistryService({
    store: createMemoryRegistryStore(),
    engine: createMatchingEngine({ defaultCountry: 'SN', nationalIdSystems: [NID] }),
    defaultModel: defaultModel(),
    config: { instance: 'test', featureOptions: { defaultCountry: 'SN', nationalIdSystems: [NID] } },
  });
  const practitioners = new MemoryPractitionerStore();
  const port = opts.loopback ? await freePort() : undefined;
  const baseUrl = port ? `http://127.0.0.1:${port}/fhir` : BASE;
  const server = Hapi.server({ ...(port ? { host: '127.0.0.1', port } : {}), router: { stripTrailingSlash: true }, debug: false, routes: { payload: { maxBytes: opts.maxBytes ?? 1024 * 1024 } } });
  await server.register({ plugin: errorMapperPlugin, options: { logger: memoryLogger().logger } });
  await server.register({
    plugin: fhirPlugin,
    options: { registry, practitioners, terminology: createTerminologyService(loadTerminology([bundledTerminologyDir()])), baseUrl, maxCount: opts.maxCount ?? 50, identifierSystems: ['urn:passerelle:mpi-id'] },
  });
  await server.initialize();
  return { server, registry, practitioners };
}

/** A response with its parsed JSON body. */
export interface CallResult {
  status: number;
  headers: ServerInjectResponse['headers'];
  body: Record<string, unknown> & { resourceType?: string };
  raw: string;
}

/**
 * Inject a request; every JSON body is schema-validated (XML bodies are validated after conversion by the caller).
 * @param server - the hapi server
 * @param method - HTTP method
 * @param url - path and query
 * @param payload - request body
 * @param headers - request headers
 */
export async function call(server: Server, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<CallResult> {
  const res = await server.inject({ method, url, payload: payload as object | string | undefined, headers });
  const raw = res.payload;
  let body: CallResult['body'] = {};
  if (raw && String(res.headers['content-type'] ?? '').includes('json')) {
    body = JSON.parse(raw) as CallResult['body'];
    expectValidFhir(body);
  }
  return { status: res.statusCode, headers: res.headers, body, raw };
}
