/**
 * Generated records (bench/population) as the matcher sees them: a record's values as an
 * evaluation row, mapped with the evaluation's JSONata mapping and read into match features, so
 * matcher tests compare exactly what `eval:linkage` registers.
 */
import { mapRows } from '../../bench/linkage/registry-ingest';
import type { UnlabelledRow } from '../../bench/linkage/registry-ingest';
import type { RecordValues } from '../../bench/population/corrupt';
import type { MatchFeatures, MatchingEngine } from '../../src/registry/matching';

const FIELDS = ['given', 'family', 'birthDate', 'gender', 'phone', 'nationalId', 'otherId', 'city', 'state', 'address'] as const;

/**
 * One record's values as an unlabelled evaluation row (absent and empty values left out).
 * @param values - the record's values
 * @param id - the row's record id
 */
export function rowOf(values: RecordValues, id: string): UnlabelledRow {
  const fields: UnlabelledRow['fields'] = {};
  for (const key of FIELDS) {
    const v = values[key];
    if (typeof v === 'string' && v !== '') fields[key] = v;
  }
  return { recordId: id, source: 'gen', fields };
}

/**
 * The match features of rows, through the evaluation mapping and the engine's extraction.
 * @param rows - unlabelled rows
 * @param engine - the matching engine (its default country reads national phone numbers)
 */
export async function featuresOf(rows: UnlabelledRow[], engine: MatchingEngine): Promise<MatchFeatures[]> {
  return (await mapRows(rows)).map((p) => engine.extractFeatures(p));
}
