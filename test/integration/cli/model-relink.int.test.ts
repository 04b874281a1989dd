/**
 * `npm run model -- relink` builds the registry the way the mediator does: the match thresholds, MPI
 * ID format and every other setting come from the same environment through loadConfig and
 * registry-module.ts, not from defaults of its own.
 */
import { randomBytes } from 'node:crypto';
import type { Patient } from 'fhir/r4';
import { runModelCli } from '../../../src/cli/train-model';
import { buildRegistryModule } from '../../../src/registry-module';
import type { RegistryModule } from '../../../src/registry-module';
import { createMongoClient } from '../../../src/storage/mongo-client';
import { testConfig } from '../../helpers/app';
import { aPatient } from '../../helpers/patients';
import { memoryLogger } from '../../helpers/silent-logger';

const dbName = `passerelle_cli_${randomBytes(6).toString('hex')}`;
const baseEnv = {
  NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'silent',
  MONGODB_URI: process.env.MONGODB_URI, MONGODB_DB: dbName, KAFKA_BROKERS: process.env.KAFKA_BROKERS,
};

function fatou(system: string): Patient {
  return aPatient({ identifier: [{ system, value: 'R-1' }], name: [{ family: 'Ndiaye', given: ['Fatou'] }], birthDate: '1984-03-17', telecom: undefined, address: [{ city: 'Thiès' }] });
}

async function model(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await runModelCli(argv, env, { out: (l) => out.push(l), progress: () => undefined });
  return { code, out };
}

describe('model relink', () => {
  const client = createMongoClient(process.env.MONGODB_URI ?? '');
  const registryOf = (env: Record<string, string | undefined>): RegistryModule =>
    buildRegistryModule({ config: testConfig(env as Record<string, string>), logger: memoryLogger().logger, db: client.db(dbName) });
  let linkScore = 0;
  let sourceKeys: string[] = [];

  beforeAll(async () => {
    // Two systems' records of one person, linked automatically by the mediator under the default rules.
    const registry = registryOf(baseEnv);
    await registry.init();
    const actor = { clientId: 'seed' };
    const first = await registry.service.registerSource({ patient: fatou('urn:dhis2'), sourceSystem: 'urn:dhis2', actor });
    const second = await registry.service.registerSource({ patient: fatou('urn:openmrs'), sourceSystem: 'urn:openmrs', actor });
    await registry.close();
    expect(second.golden.mpiId).toBe(first.golden.mpiId);
    expect(first.golden.mpiId).toMatch(/^SN-DKR-/);
    linkScore = second.source.linkScore ?? 1;
    sourceKeys = [first.source.key, second.source.key];
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase().catch(() => undefined);
    await client.close();
  });

  test('under the settings the records were linked with, nothing moves', async () => {
    expect(await model(['relink'], baseEnv)).toEqual({ code: 0, out: ['0 moves proposed (dry run; --apply performs them)'] });
  });

  test("under the deployment's own thresholds and MPI ID format, the link is undone and the new golden record gets that format", async () => {
    expect(linkScore).toBeLessThan(1);
    const threshold = String(linkScore + (1 - linkScore) / 2);
    const env = { ...baseEnv, MPI_ID_COUNTRY: 'UG', MPI_ID_REGION: 'KLA', MATCH_UPPER_THRESHOLD: threshold, MATCH_LOWER_THRESHOLD: threshold };
    const { code, out } = await model(['relink', '--apply'], env);
    expect(code).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^moved (urn:dhis2|urn:openmrs)\|R-1: SN-DKR-\S+ -> new$/), '1 moves applied']);
    const sources = await registryOf(baseEnv).service.getSources(sourceKeys);
    expect(sources.map((s) => s.goldenId).sort()).toEqual([expect.stringMatching(/^SN-DKR-/), expect.stringMatching(/^UG-KLA-/)]);
  });

  test('a configuration problem is reported before anything is opened', async () => {
    await expect(model(['relink'], { ...baseEnv, MATCH_UPPER_THRESHOLD: '0.4', MATCH_LOWER_THRESHOLD: '0.6' })).rejects.toThrow(/MATCH_LOWER_THRESHOLD: must not exceed MATCH_UPPER_THRESHOLD/);
  });
});
