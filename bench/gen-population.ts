/**
 * Population generator:
 *
 *   npm run -s gen -- --persons N --dup-rate R --seed S [--format generic|dhis2|openmrs|fhir]
 *     [--country SN|UG|mixed] [--sparse P] [--out FILE] [--truth FILE]
 *
 * Households of 1-8 sharing a family name, a phone, an address and a place; twins (same and
 * opposite sex); Senegalese and Ugandan names with Zipf-skewed frequencies; several records per
 * person in DHIS2, OpenMRS and the national client registry, corrupted as clerks and systems do.
 * `generic` is the CSV of contracts.md §4 with the truth and the `household_id` / `twin_id`
 * relations (what `eval:linkage` counts as householdMerges and twinMerges); the other formats are
 * the source systems' payload shapes, with the truth in `--truth FILE`. `--sparse P`: a share P of
 * the records lacks its birth date, its phone or both. Output goes to stdout unless `--out` is given.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OUTPUT_FORMATS, writeRecords, writeTruth } from './population/formats';
import type { OutputFormat } from './population/formats';
import { generatePopulation } from './population/population';
import type { PopulationOptions } from './population/population';

export const USAGE = `usage: gen --persons N --dup-rate R --seed S [--format ${OUTPUT_FORMATS.join('|')}]
    [--country SN|UG|mixed] [--sparse P] [--out FILE] [--truth FILE]`;

/** Parsed command line. */
export interface GenArgs extends PopulationOptions {
  format: OutputFormat;
  out?: string;
  truth?: string;
}

function number(name: string, value: string | undefined, check: (x: number) => boolean): number {
  const x = Number(value);
  if (value === undefined || !Number.isFinite(x) || !check(x)) throw new Error(`--${name} is missing or out of range`);
  return x;
}

/**
 * Parse and validate the command line.
 * @param argv - arguments after the script name
 * @returns the arguments; throws with a message when they are invalid
 */
export function parseGenArgs(argv: string[]): GenArgs {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      persons: { type: 'string' }, 'dup-rate': { type: 'string' }, seed: { type: 'string' }, format: { type: 'string', default: 'generic' },
      country: { type: 'string', default: 'mixed' }, sparse: { type: 'string', default: '0' }, out: { type: 'string' }, truth: { type: 'string' },
    },
  });
  const format = values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new Error(`--format must be one of ${OUTPUT_FORMATS.join('|')}`);
  const country = values.country as GenArgs['country'];
  if (country !== 'SN' && country !== 'UG' && country !== 'mixed') throw new Error('--country must be SN, UG or mixed');
  return {
    persons: number('persons', values.persons, (x) => Number.isInteger(x) && x >= 1 && x <= 10_000_000),
    dupRate: number('dup-rate', values['dup-rate'], (x) => x >= 0 && x < 1),
    seed: number('seed', values.seed, Number.isInteger),
    sparse: number('sparse', values.sparse, (x) => x >= 0 && x <= 1),
    format, country,
    ...(values.out ? { out: values.out } : {}),
    ...(values.truth ? { truth: values.truth } : {}),
  };
}

function withFile(path: string | undefined, write: (sink: (text: string) => void) => void): void {
  const fd = path ? openSync(path, 'w') : 1;
  try {
    write((text) => writeSync(fd, text));
  } finally {
    if (path) closeSync(fd);
  }
}

/**
 * CLI entry point.
 * @param argv - arguments after the script name
 * @returns the exit code (0 ok, 2 bad arguments)
 */
export function main(argv: string[]): number {
  let args: GenArgs;
  try {
    args = parseGenArgs(argv);
  } catch (err) {
    process.stderr.write(`gen: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const { records, persons } = generatePopulation(args);
  withFile(args.out, (sink) => writeRecords(args.format, records, sink));
  if (args.truth) withFile(args.truth, (sink) => writeTruth(records, sink));
  const twins = new Set(persons.flatMap((p) => (p.twin ? [p.twin] : []))).size;
  process.stderr.write(`gen: ${records.length} records of ${persons.length} persons in ${new Set(persons.map((p) => p.household)).size} households (${twins} twin pairs), seed ${args.seed}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
