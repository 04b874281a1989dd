/**
 * Phone numbers to E.164. Only the rules needed to make the same number written locally and
 * internationally compare equal: no per-country numbering-plan validation (libphonenumber is too
 * heavy for a matching key).
 */

/** Country calling codes for the OpenHIE implementer countries and a few common others. */
export const CALLING_CODES: Readonly<Record<string, string>> = {
  UG: '256', KE: '254', TZ: '255', RW: '250', BI: '257', SS: '211', ET: '251', SO: '252', DJ: '253',
  MW: '265', ZM: '260', ZW: '263', MZ: '258', BW: '267', NA: '264', ZA: '27', LS: '266', SZ: '268',
  NG: '234', GH: '233', SL: '232', LR: '231', GN: '224', GM: '220', SN: '221', ML: '223', BF: '226',
  NE: '227', TG: '228', BJ: '229', CI: '225', CM: '237', CD: '243', CG: '242', GA: '241', TD: '235',
  CF: '236', MG: '261', MA: '212', DZ: '213', TN: '216', EG: '20', HT: '509', PH: '63', BD: '880',
  IN: '91', PK: '92', NP: '977', LA: '856', KH: '855', MM: '95', VN: '84', ID: '62', PG: '675',
  FR: '33', BE: '32', GB: '44', IE: '353', US: '1', CA: '1', AU: '61', NZ: '64', DE: '49', NL: '31',
  PT: '351', ES: '34', IT: '39', CH: '41', BR: '55',
};

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(CALLING_CODES));

/** The listed calling code a digit string starts with, leaving 8 to 10 digits of national number. */
function foreignCode(digits: string): string | undefined {
  for (const n of [3, 2, 1]) {
    const code = digits.slice(0, n);
    const rest = digits.length - n;
    if (KNOWN_CODES.has(code) && rest >= 8 && rest <= 10) return code;
  }
  return undefined;
}

/**
 * Normalise a phone number to E.164 (`+<country code><national number>`).
 * `0772 123456` with default country UG → `+256772123456`; `00256 772…`, `+256 772…` and, whatever the
 * default country, `256772…` (another country's code without the plus sign) → the same.
 * Without a default country, national numbers are returned as bare digits so they still compare.
 * @param raw - the number as written
 * @param defaultCountry - ISO 3166 alpha-2 code applied to national numbers
 * @returns the normalised number, or '' when fewer than 6 digits remain
 */
export function normalisePhone(raw: string | undefined | null, defaultCountry?: string): string {
  if (typeof raw !== 'string') return '';
  const text = raw.trim().slice(0, 40);
  let digits = text.replace(/\D/g, '');
  if (digits.length < 6) return '';
  if (text.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  const cc = defaultCountry ? CALLING_CODES[defaultCountry.toUpperCase()] : undefined;
  if (cc === undefined) return digits;
  // Already carries the country code (e.g. "256772123456" typed without the plus sign).
  if (digits.startsWith(cc) && digits.length >= cc.length + 8) return `+${digits}`;
  // Another country's code typed without the plus sign: eleven digits or more, no trunk 0, is no
  // national number of the countries served here (national significant numbers of 8 to 10 digits).
  const foreign = digits.length >= 11 && !digits.startsWith('0') ? foreignCode(digits) : undefined;
  if (foreign !== undefined) return `+${digits}`;
  // Trunk prefix: a leading 0 is dropped when dialling internationally (not so in the NANP).
  if (digits.startsWith('0') && cc !== '1') digits = digits.replace(/^0+/, '');
  return `+${cc}${digits}`;
}
