/**
 * Name order learned from the registry's own records. Ugandan records, and some others, write the
 * family name first; two records of siblings both written surname-first then agree on the "given"
 * name (their shared family name) and differ on the "family" name (their own names), which reads as
 * one person with a changed family name rather than as two members of one household — or twins.
 * A record whose given name is mostly seen as a family name in the registry, and whose family name
 * mostly as a given name, is compared the other way round. The term-frequency tables say which: no
 * list of names, and nothing learned from labels.
 */
import type { Prepared } from './prepare';

/** Term frequencies of names as given and as family names. */
export interface NameTables {
  given?: Map<string, number>;
  family?: Map<string, number>;
}

/** How much more often a name must be seen in the other field before a record is turned round. */
const MAJORITY = 1.5;

function mostlyIn(value: string, here: Map<string, number>, there: Map<string, number>): boolean {
  const h = here.get(value) ?? 0;
  return h > 0 && h >= MAJORITY * (there.get(value) ?? 0);
}

/**
 * Whether the registry's tables say a record was written family name first.
 * @param tables - term-frequency tables
 * @param p - the record
 */
export function writtenFamilyFirst(tables: NameTables, p: Prepared): boolean {
  const { given, family } = tables;
  if (given === undefined || family === undefined || p.given === '' || p.family === '' || p.given === p.family) return false;
  return mostlyIn(p.given, family, given) && mostlyIn(p.family, given, family);
}

function turned(p: Prepared): Prepared {
  return {
    ...p, given: p.family, family: p.given, givenView: p.familyView, familyView: p.givenView, givenAll: '', givenAllView: p.familyView,
    tfModel: undefined, tfGiven: -1, tfFamily: -1, orientedFor: undefined, oriented: undefined,
  };
}

/**
 * The record in the name order the tables say (itself, or a copy with the names turned round),
 * cached on the record for the last tables it was oriented with.
 * @param tables - term-frequency tables (the compiled model's, or training's)
 * @param p - the record
 */
export function oriented(tables: NameTables, p: Prepared): Prepared {
  if (p.orientedFor === tables && p.oriented !== undefined) return p.oriented;
  const out = writtenFamilyFirst(tables, p) ? turned(p) : p;
  p.orientedFor = tables;
  p.oriented = out;
  return out;
}
