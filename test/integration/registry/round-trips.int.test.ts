/**
 * Database commands per registration on the real server, counted by the driver's command monitoring:
 * a single registration costs at most 6 (median) whatever the registry holds, and the bulk path at
 * most 0.05 per record for pages of 500 — with the same decisions as one at a time.
 */
import { randomBytes } from 'node:crypto';
import type { Patient } from 'fhir/r4';
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { testConfig } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';
import { buildRegistryModule } from '../../../src/registry-module';
import type { RegistryModule } from '../../../src/registry-module';
import { createMongoClient } from '../../../src/storage/mongo-client';
import { syntheticPatient } from '../../../bench/lib/synthetic';
import { HOUSEKEEPING_COMMANDS } from '../../../bench/lib/mongo';

jest.setTimeout(240_000);

const actor = { clientId: 'round-trips' };

/** The same person as `syntheticPatient(i)` recorded by a second system. */
function duplicate(i: number): Patient {
  const p = syntheticPatient(i, 7);
  return { ...p, identifier: [{ system: 'urn:passerelle:test:second-system', value: `D${i}` }, ...(p.identifier ?? []).slice(1)] };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

describe('commands per registration (command monitoring)', () => {
  let client: MongoClient;
  let registry: RegistryModule;
  let commands = 0;
  const dbName = `passerelle_rt_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    client = await createMongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/?directConnection=true', { monitorCommands: true }).connect();
    client.on('commandStarted', (e: CommandStartedEvent) => {
      if (!HOUSEKEEPING_COMMANDS.has(e.commandName)) commands += 1;
      if (process.env.RT_DEBUG) console.log(e.commandName, e.command[e.commandName]);
    });
    registry = buildRegistryModule({ config: testConfig(), logger: memoryLogger().logger, db: client.db(dbName) });
    await registry.init();
  });
  afterAll(async () => {
    await registry.close();
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  const counted = async <T>(work: () => Promise<T>): Promise<{ value: T; commands: number }> => {
    const before = commands;
    const value = await work();
    return { value, commands: commands - before };
  };

  test('a single registration: median at most 6 commands, new people and duplicates alike', async () => {
    await registry.service.registerMany(Array.from({ length: 500 }, (_, i) => ({ patient: syntheticPatient(i, 7), sourceSystem: 'bench', actor })));
    const perRegistration: number[] = [];
    const outcomes: string[] = [];
    for (let i = 500; i < 540; i++) {
      // Alternate a new person and a second system's record of someone already registered.
      const patient = i % 2 === 0 ? syntheticPatient(i, 7) : duplicate(i - 500);
      const { value, commands: n } = await counted(() => registry.service.registerSource({ patient, sourceSystem: 'bench', actor }));
      perRegistration.push(n);
      outcomes.push(value.outcome);
    }
    expect(outcomes.filter((o) => o === 'linked').length).toBeGreaterThanOrEqual(15);
    expect(outcomes.filter((o) => o === 'created').length).toBeGreaterThanOrEqual(15);
    expect(median(perRegistration)).toBeLessThanOrEqual(6);
    // An unchanged re-send: one lookup, the record and its golden record.
    const resent = await counted(() => registry.service.registerSource({ patient: syntheticPatient(502, 7), sourceSystem: 'bench', actor }));
    expect(resent.value.outcome).toBe('unchanged');
    expect(resent.commands).toBeLessThanOrEqual(3);
  });

  test('the bulk path: a page of 500 costs at most 25 commands (0.05 per record)', async () => {
    const page = Array.from({ length: 500 }, (_, i) => ({ patient: i % 5 === 0 ? duplicate(i) : syntheticPatient(1000 + i, 7), sourceSystem: 'bench', actor }));
    const { value, commands: n } = await counted(() => registry.service.registerMany(page));
    expect(value.every((r) => r.ok)).toBe(true);
    // Every record of a person already registered links (four were re-sent unchanged: sent by the test above).
    expect(value.filter((r) => r.ok && (r.result.outcome === 'linked' || r.result.outcome === 'unchanged'))).toHaveLength(100);
    expect(n / page.length).toBeLessThanOrEqual(0.05);
  });
});
