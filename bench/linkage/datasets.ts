/**
 * Loaders for the linkage datasets in bench/data/linkage (see its README): FEBRL (dedupe and
 * two-file link), OpenCR Uganda, and generic CSV (which also accepts Splink's fake_1000 column
 * names). Rows become a generic shape; the entity id is the truth and is only read by the metrics.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { csvRecords, parseCsv } from '../../src/core/csv';

export { parseCsv };

/** The attribute vocabulary of contracts.md §4 (plus `email`, which fake_1000 carries). */
export const FIELD_NAMES = [
  'given', 'family', 'birthDate', 'gender', 'phone', 'nationalId', 'otherId', 'postcode', 'city', 'state',
  'address', 'email',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** One dataset row in the generic shape. */
export interface LinkageRow {
  recordId: string;
  /** True entity (cluster) id: truth, never read while linking. */
  entityId: string;
  source: string;
  fields: Partial<Record<FieldName, string>>;
  /** Truth, never read while linking: the household and the twin set the entity belongs to (generated data). */
  relations?: { household?: string; twin?: string };
}

export type DatasetFormat = 'febrl' | 'febrl-link' | 'opencr' | 'generic';

function records(path: string): Array<Record<string, string>> {
  return csvRecords(readFileSync(path, 'utf8'));
}

function put(fields: LinkageRow['fields'], name: FieldName, value: string | undefined): void {
  const v = (value ?? '').trim();
  if (v !== '') fields[name] = v;
}

function gender(value: string | undefined): string | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'f' || v === 'female') return 'female';
  if (v === 'm' || v === 'male') return 'male';
  if (v === 'o' || v === 'other') return 'other';
  return undefined;
}

/** FEBRL truth: `rec-N-org` / `rec-N-dup-k` → `N`. */
function recEntity(recId: string): string {
  return /^rec-(\d+)-/.exec(recId)?.[1] ?? recId;
}

function febrlRow(r: Record<string, string>, source: string): LinkageRow {
  const fields: LinkageRow['fields'] = {};
  put(fields, 'given', r.given_name);
  put(fields, 'family', r.surname);
  put(fields, 'birthDate', r.date_of_birth);
  put(fields, 'nationalId', r.soc_sec_id);
  put(fields, 'postcode', r.postcode);
  put(fields, 'city', r.suburb);
  put(fields, 'state', r.state);
  put(fields, 'address', [r.street_number, r.address_1, r.address_2].filter((x) => x).join(' '));
  return { recordId: r.rec_id ?? '', entityId: recEntity(r.rec_id ?? ''), source, fields };
}

function opencrRow(r: Record<string, string>): LinkageRow {
  const fields: LinkageRow['fields'] = {};
  put(fields, 'gender', gender(r.sex));
  put(fields, 'birthDate', r.date_of_birth);
  put(fields, 'given', r.given_name);
  put(fields, 'family', r.surname);
  put(fields, 'phone', r.phone_number);
  put(fields, 'nationalId', r.uganda_nin);
  put(fields, 'otherId', r.art_number);
  return { recordId: r.rec_id ?? '', entityId: recEntity(r.rec_id ?? ''), source: 'opencr', fields };
}

/** Generic column names, with Splink fake_1000 aliases. */
const GENERIC: Record<string, FieldName | 'record_id' | 'entity_id' | 'source' | 'household' | 'twin'> = {
  record_id: 'record_id', unique_id: 'record_id', entity_id: 'entity_id', cluster: 'entity_id', source: 'source',
  household_id: 'household', twin_id: 'twin',
  given_name: 'given', first_name: 'given', family_name: 'family', surname: 'family', birth_date: 'birthDate',
  dob: 'birthDate', gender: 'gender', sex: 'gender', phone: 'phone', national_id: 'nationalId', other_id: 'otherId',
  postcode: 'postcode', city: 'city', state: 'state', address_line: 'address', email: 'email',
};

function genericRow(r: Record<string, string>, defaultSource: string): LinkageRow {
  const fields: LinkageRow['fields'] = {};
  const row: LinkageRow = { recordId: '', entityId: '', source: defaultSource, fields };
  for (const [col, value] of Object.entries(r)) {
    const target = GENERIC[col];
    if (target === 'record_id') row.recordId = value;
    else if (target === 'entity_id') row.entityId = value;
    else if (target === 'source') row.source = value || defaultSource;
    else if (target === 'household' || target === 'twin') {
      if (value !== '') row.relations = { ...row.relations, [target]: value };
    }
    else if (target === 'gender') put(fields, 'gender', gender(value));
    else if (target) put(fields, target, value);
  }
  return row;
}

/** Union-find over a pairs file: every record gets the smallest record id of its component. */
function truthFromPairs(rows: LinkageRow[], pairsPath: string): void {
  const parent = new Map<string, string>(rows.map((r) => [r.recordId, r.recordId]));
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    parent.set(x, p);
    return p;
  };
  for (const [a, b] of records(pairsPath).map((r) => Object.values(r))) {
    if (!a || !b) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  for (const r of rows) r.entityId = find(r.recordId);
}

/**
 * Load a dataset into generic rows.
 * @param format - febrl | febrl-link | opencr | generic
 * @param input - the (first) CSV file
 * @param input2 - the second file for febrl-link
 * @param truth - a pairs file (`rec_id_1,rec_id_2`) overriding the rec-N rule (opencr)
 * @returns the rows in file order
 */
export function loadDataset(format: DatasetFormat, input: string, input2?: string, truth?: string): LinkageRow[] {
  let rows: LinkageRow[];
  if (format === 'febrl') rows = records(input).map((r) => febrlRow(r, 'febrl'));
  else if (format === 'febrl-link') {
    if (!input2) throw new Error('febrl-link needs --input2');
    rows = [...records(input).map((r) => febrlRow(r, 'a')), ...records(input2).map((r) => febrlRow(r, 'b'))];
  } else if (format === 'opencr') rows = records(input).map(opencrRow);
  else rows = records(input).map((r) => genericRow(r, basename(input).replace(/\.csv$/, '')));
  if (truth) truthFromPairs(rows, truth);
  return rows;
}

/**
 * Keep only the listed fields (the `--fields` option).
 * @param rows - rows (not modified)
 * @param fields - allowed field names; undefined keeps all
 * @returns new rows
 */
export function restrictFields(rows: LinkageRow[], fields: readonly string[] | undefined): LinkageRow[] {
  if (!fields) return rows;
  const allowed = new Set(fields);
  return rows.map((r) => ({
    ...r,
    fields: Object.fromEntries(Object.entries(r.fields).filter(([k]) => allowed.has(k))),
  }));
}
