/**
 * The sync and push routes behind the mpi/sync scope (AUTH_MODE=jwt), in the OpenAPI document, and
 * `npm run mapping` as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MemoryClientStore } from '../../../src/http/auth/clients';
import { hashSecret } from '../../../src/http/auth/secrets';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';

const SECRET = 'a-long-client-secret-for-tests-0123456789';
const root = join(__dirname, '..', '..', '..');

async function token(app: TestApp, client: string, scope: string): Promise<string> {
  const res = await app.server.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_id=${client}&client_secret=${SECRET}&scope=${scope}` });
  return (JSON.parse(res.payload) as { access_token: string }).access_token;
}

describe('the sync API', () => {
  let app: TestApp;
  beforeAll(async () => {
    const secretHash = await hashSecret(SECRET);
    const clients = new MemoryClientStore([
      { clientId: 'poller', name: 'OpenHIM poller', authMethod: 'client_secret', scopes: ['mpi/sync'], secretHash, status: 'active', createdAt: '' },
      { clientId: 'reader', name: 'Reader', authMethod: 'client_secret', scopes: ['system/Patient.read'], secretHash, status: 'active', createdAt: '' },
    ]);
    app = await buildTestApp({ AUTH_MODE: 'jwt' }, { clients });
  });
  afterAll(() => app.stop());

  it('needs the mpi/sync scope, and answers problem+json', async () => {
    expect((await app.server.inject('/sync/status')).statusCode).toBe(401);
    const reader = { authorization: `Bearer ${await token(app, 'reader', 'system/Patient.read')}` };
    const refused = await app.server.inject({ url: '/sync/failures', headers: reader });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect((await app.server.inject({ method: 'POST', url: '/channels/csv/rows', headers: { ...reader, 'content-type': 'text/csv' }, payload: 'record_id\nr1\n' })).statusCode).toBe(403);
    const poller = { authorization: `Bearer ${await token(app, 'poller', 'mpi/sync')}` };
    expect((await app.server.inject({ url: '/sync/status', headers: poller })).statusCode).toBe(200);
    const off = await app.server.inject({ method: 'POST', url: '/sync/dhis2/run', headers: poller });
    expect([off.statusCode, JSON.parse(off.payload).detail]).toEqual([409, 'the dhis2 channel is not enabled (set DHIS2_ENABLED and DHIS2_BASE_URL)']);
    expect((await app.server.inject({ method: 'POST', url: '/sync/nowhere/run', headers: poller })).statusCode).toBe(400);
  });

  it('is in the OpenAPI document with its scope', async () => {
    const doc = JSON.parse((await app.server.inject('/docs/openapi.json')).payload) as { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };
    for (const path of ['/sync/status', '/sync/failures', '/sync/failures/{id}', '/sync/failures/{id}/retry', '/sync/failures/retry', '/sync/{channel}/run', '/channels/{channel}/{resource}']) expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.paths['/sync/status']?.get?.responses['403']?.description).toBe('Requires scope mpi/sync');
  });
});

describe('npm run mapping', () => {
  const run = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/cli/mapping.ts', ...args], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it('prints the FHIR output, or the failure and where, with exit codes 0, 1 and 2', () => {
    const ok = run('test', 'dhis2-tracked-entity', 'test/fixtures/transforms/dhis2-tracked-entity/v2.41-single-entity/input.json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ resourceType: 'Patient', name: [{ family: 'Kelly' }] });
    const bad = run('test', 'dhis2-tracked-entity', 'test/fixtures/transforms/dhis2-tracked-entity/error-100kb-first-name/input.json');
    expect([bad.status, bad.out]).toEqual([1, 'validation failed: the mapped Patient is not valid FHIR R4\n  - Patient.name[0].given[0]: value of 102400 characters (at most 4096)\n']);
    expect(run('test', 'nope', 'x.json')).toMatchObject({ status: 2, out: expect.stringContaining('no mapping named nope') });
  });
});
