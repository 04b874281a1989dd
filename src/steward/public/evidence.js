// @ts-check
/**
 * Per-field evidence of a match: the comparison level the engine reached for a field and the weight
 * it contributed, shown so that a glance tells agreement from disagreement — by colour, and also by
 * a symbol and a word, so colour is never the only cue.
 */
import { h } from './dom.js';
import { formatDate, formatWeight, t } from './i18n.js';

/** @typedef {{ field: string, level: string, weight: number }} FieldWeight */

/**
 * The rows of the side-by-side table: a value of the identity view and the engine fields whose
 * evidence is shown on that row.
 * @type {{ key: string, engine: string[] }[]}
 */
export const ROWS = [
  { key: 'first_name', engine: ['given'] },
  { key: 'last_name', engine: ['family'] },
  { key: 'date_of_birth', engine: ['birthDate'] },
  { key: 'gender', engine: ['gender'] },
  { key: 'phone_number', engine: ['phone'] },
  { key: 'region_code', engine: ['state'] },
  { key: 'country_code', engine: [] },
  { key: 'external_ids', engine: ['nationalId', 'otherId'] },
];
const SHOWN = new Set(ROWS.flatMap((r) => r.engine));

/**
 * Agreement of one comparison: agrees (weight > 0), disagrees (< 0) or says nothing.
 * @param {FieldWeight} f
 * @returns {'agree' | 'disagree' | 'neutral'}
 */
export function verdict(f) {
  return f.weight > 0.05 ? 'agree' : f.weight < -0.05 ? 'disagree' : 'neutral';
}

/**
 * A chip: symbol, level in words, weight.
 * @param {FieldWeight} f
 * @param {boolean} [named] - prefix the field's name (for evidence without a row)
 */
export function chip(f, named = false) {
  const v = verdict(f);
  const symbol = { agree: '✓', disagree: '✗', neutral: '–' }[v];
  const level = t(`level.${f.level}`);
  return h('span', { class: `chip ${v}`, 'data-field': f.field, 'data-verdict': v },
    h('span', { 'aria-hidden': 'true' }, symbol), ' ',
    h('span', { class: 'visually-hidden' }, `${t(`evidence.${v}`)}: `),
    named ? `${t(`field.${f.field}`)} · ` : '', level, ' ',
    h('span', { class: 'weight' }, `(${t('evidence.weight', { w: formatWeight(f.weight) })})`));
}

/**
 * The chips of one row for one candidate.
 * @param {{ engine: string[] }} row
 * @param {FieldWeight[]} weights
 */
export function rowEvidence(row, weights) {
  return weights.filter((f) => row.engine.includes(f.field) && (f.level !== 'null' || row.engine.length === 1)).map((f) => chip(f, row.engine.length > 1));
}

/**
 * Evidence for fields without a row of their own (city, postcode, address, email), when not null.
 * @param {FieldWeight[]} weights
 */
export function otherEvidence(weights) {
  return weights.filter((f) => !SHOWN.has(f.field) && f.level !== 'null').map((f) => chip(f, true));
}

/**
 * The worst verdict of a row for one candidate (drives the cell's colour).
 * @param {{ engine: string[] }} row
 * @param {FieldWeight[]} weights
 */
export function rowVerdict(row, weights) {
  const vs = weights.filter((f) => row.engine.includes(f.field)).map(verdict);
  return vs.includes('disagree') ? 'disagree' : vs.includes('agree') ? 'agree' : 'neutral';
}

/**
 * A value of the identity view as text.
 * @param {string} key
 * @param {any} record
 */
export function valueOf(key, record) {
  const v = record?.[key];
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return '—';
  if (key === 'date_of_birth') return formatDate(v);
  if (key === 'gender') return t(`gender.${v}`);
  if (key === 'external_ids') return h('ul', { class: 'ids' }, v.map((/** @type {{ system: string, value: string }} */ i) => h('li', {}, h('span', { class: 'system' }, shortSystem(i.system)), ' ', i.value)));
  return String(v);
}

/**
 * The readable end of an identifier system URI.
 * @param {string} system
 */
export function shortSystem(system) {
  const tail = system.replace(/\/+$/, '').split(/[/:]/).filter(Boolean).pop();
  return tail && tail.length <= 24 ? tail : system;
}
