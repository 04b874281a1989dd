/**
 * Regional name knowledge: alias groups (nicknames, transliterations, spelling traditions), titles
 * and compound-name prefixes to set aside, and transliteration rewrites that reduce a name to a
 * skeleton. The knowledge lives in text files, so a ministry extends it without a rebuild: the
 * shipped table (names/regional-names.txt) plus the files named in MATCH_NAME_TABLES, merged.
 *
 * File format, one entry per line, `#` starts a comment:
 *   given,MAMADOU,MOHAMADOU,MUHAMMAD      names used for one another as given names (first = canonical)
 *   family,DIALLO,JALLOW,JALLOH           the same for family names
 *   title,EL HADJI                        a title or honorific set aside before a given name
 *   prefix,NDEYE                          a compound-name prefix set aside when another name follows
 *   rewrite,OU,U                          a transliteration rewrite (`^` anchors at the start, `$` at the end)
 * Names are normalised as records are (upper case, accents folded), so `Ndèye` and `NDEYE` are one entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameKey, normaliseGiven } from './normalise';

/** A parsed, indexed name table. */
export interface NameTable {
  /** Name key → alias group ids, per kind. */
  given: Map<string, number[]>;
  family: Map<string, number[]>;
  /** Group id → canonical name key (the group's first name). */
  canonical: string[];
  /** Titles and prefixes as token sequences, longest first. */
  setAside: string[][];
  /** Transliteration rewrites in file order. */
  rewrites: Rewrite[];
  /** Entries per kind, for display. */
  counts: Record<EntryKind, number>;
}

interface Rewrite { from: string; to: string; anchor: 'start' | 'end' | 'any' }
type EntryKind = 'given' | 'family' | 'title' | 'prefix' | 'rewrite';
const KINDS: readonly EntryKind[] = ['given', 'family', 'title', 'prefix', 'rewrite'];

/** A line of a table file that could not be read. */
export class NameTableError extends Error {
  /** @param problems - `file:line: message` per problem */
  constructor(readonly problems: string[]) {
    super(`Invalid name table:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'NameTableError';
  }
}

function emptyTable(): NameTable {
  return { given: new Map(), family: new Map(), canonical: [], setAside: [], rewrites: [], counts: { given: 0, family: 0, title: 0, prefix: 0, rewrite: 0 } };
}

function addGroup(table: NameTable, index: Map<string, number[]>, names: string[]): void {
  const keys = [...new Set(names.map((n) => nameKey(normaliseGiven(n))).filter(Boolean))];
  if (keys.length < 2) return;
  const id = table.canonical.length;
  table.canonical.push(keys[0] as string);
  for (const k of keys) {
    const list = index.get(k);
    if (list === undefined) index.set(k, [id]);
    else if (!list.includes(id)) list.push(id);
  }
}

function rewriteOf(from: string, to: string): Rewrite {
  const anchor = from.startsWith('^') ? 'start' : from.endsWith('$') ? 'end' : 'any';
  return { from: from.replace(/^\^|\$$/g, '').toUpperCase(), to: to.toUpperCase(), anchor };
}

function addLine(table: NameTable, kind: EntryKind, values: string[]): string | undefined {
  if (kind === 'rewrite') {
    if (values.length !== 2 || !/^\^?[A-Za-z]+\$?$/.test(values[0] ?? '') || !/^[A-Za-z]*$/.test(values[1] ?? '')) return 'a rewrite is `rewrite,FROM,TO` (letters; ^ or $ anchors FROM)';
    table.rewrites.push(rewriteOf(values[0] as string, values[1] as string));
  } else if (kind === 'title' || kind === 'prefix') {
    if (values.length !== 1 || normaliseGiven(values[0]) === '') return `a ${kind} line names one ${kind}`;
    table.setAside.push(normaliseGiven(values[0]).split(' '));
  } else {
    if (values.length < 2) return 'an alias group needs at least two names';
    addGroup(table, kind === 'given' ? table.given : table.family, values);
  }
  table.counts[kind]++;
  return undefined;
}

/**
 * Read table files into one table (later files add to earlier ones).
 * @param files - file name (for messages) and text of each table
 * @returns the merged table; throws NameTableError listing every bad line
 */
export function buildNameTable(files: Array<{ name: string; text: string }>): NameTable {
  const table = emptyTable();
  const problems: string[] = [];
  for (const { name, text } of files) {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      const [kind = '', ...values] = line.split(',').map((v) => v.trim());
      const problem = KINDS.includes(kind as EntryKind) ? addLine(table, kind as EntryKind, values.filter((v, j) => v !== '' || (kind === 'rewrite' && j === 1))) : `unknown kind '${kind}' (expected ${KINDS.join(', ')})`;
      if (problem) problems.push(`${name}:${i + 1}: ${problem}`);
    });
  }
  if (problems.length > 0) throw new NameTableError(problems);
  table.setAside.sort((a, b) => b.length - a.length);
  return table;
}

/** Where the shipped table lives (copied next to the compiled module by `npm run build`). */
export const SHIPPED_TABLE = join(__dirname, 'names', 'regional-names.txt');

/**
 * The shipped table plus a deployment's own files.
 * @param paths - extra table files (MATCH_NAME_TABLES)
 * @returns the merged table; throws NameTableError (or the file system's error for an unreadable file)
 */
export function loadNameTables(paths: readonly string[] = []): NameTable {
  return buildNameTable([SHIPPED_TABLE, ...paths].map((p) => ({ name: p, text: readFileSync(p, 'utf8') })));
}

let active: NameTable | undefined;
let generation = 1;

/**
 * The table comparisons and blocking use (the shipped one until `useNameTable` sets another).
 * @returns the active table
 */
export function activeNameTable(): NameTable {
  active ??= loadNameTables();
  return active;
}

/**
 * Make a table the active one; comparison projections built under the previous table are rebuilt.
 * @param table - the table
 */
export function useNameTable(table: NameTable): void {
  active = table;
  generation++;
}

/** Increases whenever the active table changes (prepared records carry the generation they were built under). */
export function nameTableGeneration(): number {
  return generation;
}

/**
 * Set aside leading titles and compound prefixes while another name follows ("NDEYE FATOU" → "FATOU",
 * "EL HADJI MALICK" → "MALICK"; "NDEYE" alone stays).
 * @param tokens - the given-name tokens in order
 * @param table - the name table
 * @returns how many leading tokens to skip
 */
export function leadingSetAside(tokens: readonly string[], table: NameTable): number {
  let start = 0;
  for (let moved = true; moved;) {
    moved = false;
    for (const t of table.setAside) {
      if (start + t.length >= tokens.length) continue;
      if (t.every((w, i) => tokens[start + i] === w)) {
        start += t.length;
        moved = true;
        break;
      }
    }
  }
  return start;
}

/**
 * The transliteration skeleton of a name key: rewrites applied in order, then doubled letters
 * collapsed ("AISSATOU" and "AYSATU" → "AISATU").
 * @param key - a name without spaces
 * @param table - the name table
 * @returns the skeleton ('' for '')
 */
export function skeleton(key: string, table: NameTable): string {
  let s = key;
  for (const r of table.rewrites) {
    if (r.anchor === 'start') s = s.startsWith(r.from) ? r.to + s.slice(r.from.length) : s;
    else if (r.anchor === 'end') s = s.endsWith(r.from) ? s.slice(0, s.length - r.from.length) + r.to : s;
    else if (s.includes(r.from)) s = s.replaceAll(r.from, () => r.to);
  }
  return s.replace(/(.)\1+/g, '$1');
}

/**
 * Whether two alias-group lists share a group.
 * @param a - groups of the first name (or null)
 * @param b - groups of the second name (or null)
 */
export function sharesGroup(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === null || b === null) return false;
  for (const x of a) if (b.includes(x)) return true;
  return false;
}
