/**
 * Text and name normalisation for matching. Everything here is pure and bounded: inputs are capped
 * before any per-character work so a 10,000-character name costs no more than a 100-character one.
 */

/** Longest name (in characters) we keep; longer values are truncated before normalisation. */
export const MAX_NAME_LENGTH = 100;

/** Longest free-text value (address lines) we keep. */
export const MAX_TEXT_LENGTH = 200;

/**
 * Family-name particles dropped when they precede another token ("VAN DER BERG" → "BERG"), so that
 * "De la Cruz", "Cruz" and "Delacruz"-style variants meet on the same comparison string and keys.
 */
const PARTICLES = new Set([
  'DE', 'DA', 'DI', 'DO', 'DU', 'DOS', 'DAS', 'DEL', 'DELLA', 'DELLE', 'DES', 'LA', 'LE', 'LES', 'LO', 'VAN',
  'VON', 'DER', 'DEN', 'TER', 'TEN', 'BEN', 'BIN', 'BINTI', 'BINT', 'IBN', 'AL', 'EL', 'ABU', 'MAC', 'ST', 'Y',
]);

// Emoji and pictographs, variation selectors and zero-width joiners: never part of a name.
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{FE0E}\u{FE0F}\u{200D}\u{20E3}]/gu;
const COMBINING = /\p{M}+/gu;
// Anything that is not a letter or a digit separates tokens (punctuation, symbols, whitespace).
const SEPARATORS = /[^\p{L}\p{N}]+/gu;

/**
 * Normalise free text: NFKD, combining marks stripped (diacritics folded), emoji removed, upper case,
 * punctuation and whitespace collapsed to single spaces. Non-Latin scripts are kept as they are.
 * @param value - raw text (may be undefined)
 * @param maxLength - cap applied before any work
 * @returns the normalised text, '' when nothing is left
 */
export function normaliseText(value: string | undefined | null, maxLength = MAX_TEXT_LENGTH): string {
  if (typeof value !== 'string' || value.length === 0) return '';
  // Cap twice: before the costly Unicode passes and after decomposition (which can lengthen text).
  const capped = value.length > maxLength * 2 ? value.slice(0, maxLength * 2) : value;
  // Printable ASCII has no marks, emoji or letters to fold: the Unicode passes would leave it as it is.
  const folded = isPrintableAscii(capped) ? capped.toUpperCase().replace(SEPARATORS, ' ').trim() : foldUnicode(capped);
  return folded.length > maxLength ? folded.slice(0, maxLength).trim() : folded;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Whether text is printable ASCII only: nothing to decompose, no marks, emoji or letters to fold, so
 * Unicode normalisation passes would leave it as it is (the fast path of normaliseText and of the
 * search fields' normalisation).
 * @param text - any text
 */
export function isPrintableAscii(text: string): boolean {
  return PRINTABLE_ASCII.test(text);
}

/**
 * The Unicode passes of normaliseText: NFKD, marks and emoji removed, letters without a
 * decomposition folded, upper case, separators collapsed.
 * @param capped - text already capped
 */
function foldUnicode(capped: string): string {
  return capped
    .normalize('NFKD')
    .replace(COMBINING, '')
    .replace(EMOJI, '')
    .replace(/ß/g, 'SS')
    .replace(/[Øø]/g, 'O')
    .replace(/[Łł]/g, 'L')
    .replace(/[Đđ]/g, 'D')
    .replace(/[Ææ]/g, 'AE')
    .toUpperCase()
    .replace(SEPARATORS, ' ')
    .trim();
}

/**
 * Normalise a given name: text normalisation with the name cap; apostrophes and hyphens are joined
 * rather than split ("Jean-Paul" → "JEAN PAUL", "N'Diaye" → "NDIAYE").
 * @param value - raw given name
 * @returns the normalised name, '' when empty
 */
export function normaliseGiven(value: string | undefined | null): string {
  if (typeof value !== 'string') return '';
  return normaliseText(value.replace(/['’`ʼ]/g, ''), MAX_NAME_LENGTH);
}

/**
 * Normalise a family name into tokens, dropping leading particles while another token follows
 * ("van der Berg" → ["BERG"], "Al-Hassan" → ["HASSAN"], "Ben" alone → ["BEN"]).
 * @param value - raw family name
 * @returns tokens in order; empty when nothing is left
 */
export function normaliseFamily(value: string | undefined | null): string[] {
  const text = normaliseGiven(value);
  if (text === '') return [];
  const tokens = text.split(' ');
  let start = 0;
  while (start < tokens.length - 1 && PARTICLES.has(tokens[start] as string)) start++;
  return tokens.slice(start);
}

/**
 * The comparison string of a name: its tokens joined without spaces, so inserted or dropped spaces
 * ("MENZ IES" / "MENZIES") do not count as differences.
 * @param tokens - normalised tokens or a normalised string
 * @returns the joined string
 */
export function nameKey(tokens: string[] | string): string {
  return (Array.isArray(tokens) ? tokens.join('') : tokens).replace(/ /g, '');
}

/**
 * Normalise a code-like value (postcode, identifier value): upper case, letters and digits only.
 * @param value - raw value
 * @returns the compact value, '' when empty
 */
export function normaliseCode(value: string | undefined | null): string {
  if (typeof value !== 'string') return '';
  return normaliseText(value, 64).replace(/ /g, '');
}

/**
 * Normalise an e-mail address: trimmed, lower case, capped.
 * @param value - raw address
 * @returns the address or '' when it has no `@`
 */
export function normaliseEmail(value: string | undefined | null): string {
  if (typeof value !== 'string') return '';
  const v = value.trim().toLowerCase().slice(0, 254);
  return v.includes('@') ? v : '';
}
