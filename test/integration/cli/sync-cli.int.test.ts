/**
 * `npm run sync -- CHANNEL` on the real stack: one run of the DHIS2 channel against the fake DHIS2
 * from the command line, with its progress line (records, rate, time left) and its summary; a second
 * run that finds nothing new; a CSV bulk load; usage and a channel that is off (exit 2).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMongoClient } from '../../../src/storage/mongo-client';
import { FakeDhis2, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { dhis2Env } from '../../helpers/sync';

jest.setTimeout(120_000);
const ROOT = join(__dirname, '..', '..', '..');
const fake = new FakeDhis2('2.42');
const run = randomUUID().slice(0, 8);
const db = `passerelle_it_${run}`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function syncCli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/cli/sync.ts', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '', NODE_ENV: 'development', LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1', MONGODB_URI: process.env.MONGODB_URI ?? '', MONGODB_DB: db,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '', KAFKA_TOPIC_PATIENT: `it.${run}.patient`, KAFKA_TOPIC_REVIEW: `it.${run}.review`, KAFKA_TOPIC_DLQ: `it.${run}.dlq`,
      KAFKA_TOPIC_PRACTITIONER: `it.${run}.practitioner`, ...dhis2Env(fake, { DHIS2_PAGE_SIZE: '10', DHIS2_MPI_ID_ATTRIBUTE: '' }), ...env,
    },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ...out })));
}

beforeAll(async () => {
  await fake.start();
  for (let i = 0; i < 30; i++) fake.put(trackedEntityOf(person(300 + i)));
});
afterAll(async () => {
  await fake.close();
  const client = createMongoClient(process.env.MONGODB_URI ?? '');
  await client.db(db).dropDatabase().catch(() => undefined);
  await client.close();
});

describe('npm run sync', () => {
  it('runs one DHIS2 sync with a progress line and a summary, then finds nothing new', async () => {
    const first = await syncCli(['dhis2']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^dhis2: succeeded in \d+\.\d s, \d+ pages: received 30, created 30/m);
    // Not a terminal: one progress line at the start, then one every few seconds.
    expect(first.stderr).toMatch(/dhis2 \[#*-*\] \d+\/30 +\d+% {2}\d+ rec\/s( {2}\d+:\d\d left)?/);
    const second = await syncCli(['dhis2']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^dhis2: succeeded in [\d.]+ s, 1 pages: nothing new/m);
  });

  it('bulk-loads a CSV file through the csv-row mapping, keeping a bad row aside', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'passerelle-csv-')), 'rows.csv');
    writeFileSync(file, 'record_id,given_name,family_name,birth_date,gender\nrow-1,Aminata,Diallo,1987-03-04,female\nrow-2,Moussa,Sow,1990-13-45,male\n');
    const ran = await syncCli(['csv', file]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/^csv: received 2, created 1, failed 1$/m);
    expect(ran.stdout).toContain('failures: GET /sync/failures?channel=csv');
  });

  it('explains its usage, and names a channel that is off (exit 2)', async () => {
    const usage = await syncCli([]);
    expect([usage.code, usage.stderr.trim()]).toEqual([2, 'usage: npm run sync -- dhis2|openmrs|ihris|ncr   |   npm run sync -- csv FILE.csv']);
    const off = await syncCli(['openmrs']);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('the openmrs channel is not enabled');
  });
});
