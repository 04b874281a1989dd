/**
 * Birth-date parsing and comparison. Partial dates are kept at their precision; heaped dates
 * (year only, 1 January, mid-year) are flagged `estimated` because registries fill them in when the
 * real date is unknown, so agreeing on them says little.
 */
import type { PartialDate } from './contract';

/** Earliest birth year we accept; older dates are almost always data-entry errors. */
export const MIN_BIRTH_YEAR = 1900;

/** Result of parsing: a date, or the reason it was rejected (none when the input was empty). */
export interface ParsedDate {
  date?: PartialDate;
  rejected?: string;
}

const FORMATS = [/^(\d{4})$/, /^(\d{4})-(\d{2})$/, /^(\d{4})-(\d{2})-(\d{2})/, /^(\d{4})(\d{2})(\d{2})$/];

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isEstimated(month?: number, day?: number): boolean {
  if (month === undefined || day === undefined) return true;
  return (month === 1 && day === 1) || (month === 7 && day === 1) || (month === 6 && (day === 15 || day === 30));
}

/**
 * Parse a birth date given as YYYY, YYYY-MM, YYYY-MM-DD (time part ignored) or YYYYMMDD.
 * @param raw - the raw value
 * @param today - ISO date used to reject future dates
 * @returns the date, or a rejection reason for impossible, future and pre-1900 dates
 */
export function parseBirthDate(raw: string | undefined | null, today: string): ParsedDate {
  if (typeof raw !== 'string' || raw.trim() === '') return {};
  const value = raw.trim().slice(0, 40);
  const m = FORMATS.map((re) => re.exec(value)).find((x) => x !== null);
  if (!m) return { rejected: `birthDate: unreadable date ${value}` };
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return { rejected: `birthDate: impossible date ${value}` };
  if (month !== undefined && day !== undefined && (day < 1 || day > daysInMonth(year, month))) {
    return { rejected: `birthDate: impossible date ${value}` };
  }
  if (year < MIN_BIRTH_YEAR) return { rejected: `birthDate: before ${MIN_BIRTH_YEAR} ${value}` };
  const iso = `${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}`;
  if (iso > today.slice(0, 10)) return { rejected: `birthDate: in the future ${value}` };
  const date: PartialDate = { year };
  if (month !== undefined) date.month = month;
  if (day !== undefined) date.day = day;
  if (isEstimated(month, day)) date.estimated = true;
  return { date };
}

/** Birth-date comparison levels, best first (index 0 is the neutral null level). */
export const DATE_LEVELS = [
  'null', 'exact', 'swap-day-month', 'edit1', 'same-year-month', 'same-year', 'year±1', 'else',
] as const;

/** A date packed for fast comparison: y*10000 + m*100 + d, with 0 for unknown parts. */
export function packDate(d: PartialDate | undefined): number {
  if (!d) return 0;
  return d.year * 10000 + (d.month ?? 0) * 100 + (d.day ?? 0);
}

/** Number of differing decimal digits between two packed dates; an adjacent transposition counts as one. */
function digitEdits(a: number, b: number): number {
  let diff = 0;
  let x = a;
  let y = b;
  let prevA = -1;
  let prevB = -1;
  let transposed = false;
  let lastDiffAt = -2;
  for (let pos = 0; x > 0 || y > 0; pos++) {
    const da = x % 10;
    const db = y % 10;
    if (da !== db) {
      if (lastDiffAt === pos - 1 && da === prevB && db === prevA) transposed = true;
      lastDiffAt = pos;
      diff++;
    }
    prevA = da;
    prevB = db;
    x = (x / 10) | 0;
    y = (y / 10) | 0;
  }
  return diff === 2 && transposed ? 1 : diff;
}

/**
 * Compare two packed dates and return a level index into DATE_LEVELS. Estimated dates only ever
 * agree at year level, because heaped values (1 January, mid-year) say nothing about the day.
 * @param a - packed date (0 = null)
 * @param b - packed date (0 = null)
 * @param estimated - whether either side is estimated or partial
 * @returns level index
 */
export function compareDates(a: number, b: number, estimated: boolean): number {
  if (a === 0 || b === 0) return 0;
  const ya = (a / 10000) | 0;
  const yb = (b / 10000) | 0;
  if (estimated) {
    if (ya === yb) return 5;
    return Math.abs(ya - yb) === 1 ? 6 : 7;
  }
  if (a === b) return 1;
  const ma = ((a / 100) | 0) % 100;
  const mb = ((b / 100) | 0) % 100;
  const da = a % 100;
  const db = b % 100;
  if (ya === yb && ma === db && da === mb) return 2;
  if (digitEdits(a, b) === 1) return 3;
  if (ya === yb && ma === mb) return 4;
  if (ya === yb) return 5;
  return Math.abs(ya - yb) === 1 ? 6 : 7;
}
