// @ts-check
/**
 * French and English: every label and message of the page, and dates and numbers in the locale's
 * format. The language comes from the browser (navigator.languages) unless the steward chose one
 * with the switch; the choice is remembered on this browser (it is not a secret).
 */

import en from './messages-en.js';
import fr from './messages-fr.js';

/** @typedef {'fr' | 'en'} Lang */

const MESSAGES = { en, fr };

/** @type {Lang} */
let lang = 'en';
/** The locale dates and numbers are formatted in: the browser's own variant of the language (en-GB, fr-SN…). */
let locale = 'en';
const STORAGE_KEY = 'passerelle.steward.lang';

/**
 * Intl formatters are costly to build (a queue of 1,000 tasks formats thousands of values): one per
 * locale and options, kept.
 * @type {Map<string, any>}
 */
const formatters = new Map();

/**
 * @template T
 * @param {string} kind
 * @param {object} options
 * @param {() => T} make
 * @returns {T}
 */
function cached(kind, options, make) {
  const key = `${kind}|${locale}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

/** The languages the page speaks. */
export const LANGS = /** @type {const} */ (['fr', 'en']);

/**
 * The language to start in: the steward's earlier choice, else the browser's first French or English.
 * @returns {Lang}
 */
export function initialLang() {
  const saved = safeStorage()?.getItem(STORAGE_KEY);
  if (saved === 'fr' || saved === 'en') return saved;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * Switch language (and remember the choice when `remember`).
 * @param {Lang} next
 * @param {boolean} [remember]
 */
export function setLang(next, remember = false) {
  lang = next;
  locale = (navigator.languages ?? [navigator.language]).find((l) => l.toLowerCase().startsWith(next)) ?? next;
  document.documentElement.lang = next;
  if (remember) safeStorage()?.setItem(STORAGE_KEY, next);
}

/** @returns {Lang} */
export function currentLang() {
  return lang;
}

/**
 * A message in the current language, with `{name}` parameters and ICU-style plurals
 * (`{n, plural, one {…} other {…}}`, `#` standing for the formatted number).
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const table = /** @type {Record<string, string>} */ (MESSAGES[lang]);
  const text = table[key] ?? /** @type {Record<string, string>} */ (MESSAGES.en)[key] ?? key;
  const plural = text.replace(/\{(\w+), plural, one \{([^}]*)\} other \{([^}]*)\}\}/g, (_m, name, one, other) => {
    const n = Number(params[name]);
    const form = cached('plural', {}, () => new Intl.PluralRules(locale)).select(n) === 'one' ? one : other;
    return form.replace('#', formatNumber(n));
  });
  return plural.replace(/\{(\w+)\}/g, (_m, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/**
 * @param {number} n
 * @param {number} [digits] - fraction digits (scores: 2)
 */
export function formatNumber(n, digits) {
  const opts = digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return cached('number', opts, () => new Intl.NumberFormat(locale, opts)).format(n);
}

/**
 * A signed weight, e.g. “+4.1” / “+4,1”.
 * @param {number} w
 */
export function formatWeight(w) {
  const opts = /** @type {const} */ ({ minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  return cached('number', opts, () => new Intl.NumberFormat(locale, opts)).format(w);
}

/**
 * An instant in the locale's format (date and time).
 * @param {string} iso
 */
export function formatDateTime(iso) {
  const opts = /** @type {const} */ ({ dateStyle: 'medium', timeStyle: 'short' });
  return cached('date', opts, () => new Intl.DateTimeFormat(locale, opts)).format(new Date(iso));
}

/**
 * A calendar date (YYYY-MM-DD, no time zone) in the locale's format.
 * @param {string} ymd
 */
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const opts = /** @type {const} */ ({ dateStyle: 'medium', timeZone: 'UTC' });
  return cached('date', opts, () => new Intl.DateTimeFormat(locale, opts)).format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/**
 * How long ago, e.g. “3 days ago” / “il y a 3 jours”.
 * @param {string} iso
 * @param {number} [now]
 */
export function formatAge(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = cached('relative', {}, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
  const abs = Math.abs(seconds);
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

/**
 * Every key of both catalogues (the page's tests check that French and English have the same keys).
 * @returns {{ fr: string[], en: string[] }}
 */
export function catalogueKeys() {
  return { fr: Object.keys(MESSAGES.fr).sort(), en: Object.keys(MESSAGES.en).sort() };
}
