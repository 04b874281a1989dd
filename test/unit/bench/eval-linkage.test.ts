/**
 * The linkage evaluation CLI (contracts.md §4), run in-process on FEBRL1 (1,000 records) through the
 * memory registry: the JSON line has exactly the contract's keys and the linkage is accurate.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../bench/eval-linkage';
import { relationMerges } from '../../../bench/linkage/metrics';
import { writeRecords } from '../../../bench/population/formats';
import { generatePopulation } from '../../../bench/population/population';

const FEBRL1 = join(__dirname, '../../../bench/data/linkage/febrl-dataset1.csv');
const KEYS = [
  'dataset', 'records', 'entities', 'truePairs', 'predictedPairs', 'precision', 'recall', 'f1', 'clusterPrecision',
  'clusterRecall', 'clusterF1', 'falseMerges', 'reviewTasks', 'reviewRate', 'blockingPairCompleteness',
  'candidatesPerRecord', 'recordsPerSecond', 'decisionAutoLink', 'decisionReview', 'decisionNew',
];

interface Captured { code: number; out: string[]; err: string[] }

async function run(argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('eval-linkage on FEBRL1 (memory registry)', () => {
  it('prints one JSON object with the contract keys on the last line, f1 > 0.9', async () => {
    const { code, out } = await run(['--format', 'febrl', '--input', FEBRL1, '--order', 'shuffled', '--seed', '1', '--store', 'memory', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out[out.length - 1] as string) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(KEYS);
    expect(result.records).toBe(1000);
    expect(result.entities).toBe(500);
    expect(result.truePairs).toBe(500);
    expect(result.f1).toBeGreaterThan(0.9);
    expect(result.falseMerges).toBe(0);
  }, 120000);
});

describe('eval-linkage arguments', () => {
  it.each([
    [[]],
    [['--format', 'febrl']],
    [['--format', 'nope', '--input', 'x.csv']],
    [['--format', 'febrl-link', '--input', 'a.csv']],
    [['--format', 'febrl', '--input', 'x.csv', '--fields', 'given,shoeSize']],
    [['--format', 'febrl', '--input', 'x.csv', '--store', 'redis']],
    [['--format', 'febrl', '--input', 'x.csv', '--bogus']],
  ])('rejects %j with a usage message and exit code 2', async (argv) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/usage: eval-linkage/);
  });
});

describe('safety keys of a generated population', () => {
  it('counts golden records holding two members of a household or of a twin set', () => {
    const truth = ['p1', 'p1', 'p2', 'p3', 'p4', 'p5'];
    const clusters = ['g1', 'g1', 'g1', 'g2', 'g2', 'g3'];
    const household = ['h1', 'h1', 'h1', 'h2', 'h3', 'h3'];
    const twin = [undefined, undefined, undefined, 't1', 't1', undefined];
    // g1 holds p1 and p2 of one household; g2 holds p3 and p4, twins of different households (a data error).
    expect(relationMerges(clusters, truth, household)).toBe(1);
    expect(relationMerges(clusters, truth, twin)).toBe(1);
    expect(relationMerges(['a', 'b', 'c', 'd', 'e', 'f'], truth, household)).toBe(0);
  });

  it('the JSON line carries twinMerges and householdMerges when the data has those columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-'));
    const file = join(dir, 'pop.csv');
    let text = '';
    writeRecords('generic', generatePopulation({ persons: 400, dupRate: 0.3, seed: 3 }).records, (t) => (text += t));
    writeFileSync(file, text);
    const { code, out } = await run(['--format', 'generic', '--input', file, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out[out.length - 1] as string) as Record<string, number>;
    expect(Object.keys(result).slice(-5)).toEqual(['decisionAutoLink', 'decisionReview', 'decisionNew', 'twinMerges', 'householdMerges']);
    expect(result.decisionAutoLink! + result.decisionReview! + result.decisionNew!).toBe(result.records);
    expect(result.twinMerges).toBe(0);
  }, 120000);
});
