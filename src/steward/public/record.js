// @ts-check
/**
 * A golden record with its sources, the merges in force into it (each undone from here) and its
 * history (who changed what, when); and the search that leads to it.
 */
import { ApiError, api, seg } from './api.js';
import { hasScope } from './auth.js';
import { announce, focusHeading, h, replace } from './dom.js';
import { askReason } from './dialog.js';
import { shortSystem, valueOf } from './evidence.js';
import { formatDate, formatDateTime, formatNumber, t } from './i18n.js';

/** @typedef {import('./app.js').ViewContext} ViewContext */

const MPI_ID = /^[A-Z0-9]{1,12}(-[A-Z0-9]{1,16}){1,5}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = ['first_name', 'last_name', 'date_of_birth', 'gender', 'phone_number', 'region_code', 'country_code', 'external_ids'];

/**
 * Translate a word of the registry (operation, FHIR field) when the page knows it; otherwise show
 * the word itself, which is still meaningful to a steward who knows FHIR.
 * @param {string} prefix
 * @param {string} word
 */
function known(prefix, word) {
  const text = t(`${prefix}.${word}`);
  return text === `${prefix}.${word}` ? word : text;
}

/** @param {any[]} sources */
function sourcesTable(sources) {
  const head = ['record.source.system', 'record.source.identifier', 'field.first_name', 'field.last_name', 'field.date_of_birth', 'record.source.link'];
  return h('div', { class: 'table-wrap' }, h('table', { id: 'sources' },
    h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, sources.map((s) => h('tr', {},
      h('td', {}, s.source_system), h('td', {}, `${shortSystem(s.system)} ${s.value}`), h('td', {}, s.first_name ?? '—'), h('td', {}, s.last_name ?? '—'),
      h('td', {}, s.date_of_birth ? formatDate(s.date_of_birth) : '—'), h('td', {}, s.link ? t(`record.link.${s.link}`) : '—'))))));
}

/** @param {any[]} items */
function historyTable(items) {
  const head = ['record.history.version', 'record.history.when', 'record.history.what', 'record.history.fields', 'record.history.who'];
  return h('div', { class: 'table-wrap' }, h('table', { id: 'history' },
    h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, [...items].reverse().map((e) => h('tr', {},
      h('td', { class: 'num' }, formatNumber(e.version)), h('td', {}, formatDateTime(e.at)), h('td', {}, known('op', e.operation)),
      h('td', {}, e.changed_fields.map((/** @type {string} */ f) => known('field', f)).join(', ') || '—'), h('td', {}, e.user_id ?? e.client_id))))));
}

/**
 * @param {ViewContext} ctx
 * @param {string} mpiId - the survivor
 * @param {any[]} merges
 */
function mergesList(ctx, mpiId, merges) {
  if (merges.length === 0) return h('p', { class: 'muted' }, t('record.noMerges'));
  return h('ul', { class: 'merges', id: 'merges' }, merges.map((m) => h('li', {},
    t('record.merge.row', { mpi: m.retired_mpi_id, date: formatDateTime(m.at), who: m.user_id ?? m.client_id }), m.reason ? ` — ${m.reason}` : '', ' ',
    hasScope('mpi/review') ? h('button', { type: 'button', class: 'danger', 'data-unmerge': m.retired_mpi_id, onclick: () => void unmerge(ctx, mpiId, m.retired_mpi_id) },
      t('record.unmerge', { mpi: m.retired_mpi_id })) : null)));
}

/**
 * @param {ViewContext} ctx
 * @param {string} survivor
 * @param {string} retired
 */
async function unmerge(ctx, survivor, retired) {
  const done = await askReason({
    title: t('record.unmerge', { mpi: retired }), help: t('record.unmerge.help', { mpi: retired }), confirm: t('record.unmerge', { mpi: retired }), danger: true,
    submit: async (reason) => {
      try {
        await api('mpi/unmerge', { method: 'POST', body: { mpi_id: retired, reason } });
        return null;
      } catch (err) {
        return err instanceof ApiError && err.problem?.detail ? err.problem.detail : t('error.generic', { status: err instanceof ApiError ? err.status : '?' });
      }
    },
  });
  if (!done) return;
  await renderRecord(ctx, survivor);
  announce(t('record.unmerged', { mpi: retired }));
}

/**
 * Draw a golden record.
 * @param {ViewContext} ctx
 * @param {string} mpiId
 */
export async function renderRecord(ctx, mpiId) {
  const id = seg(mpiId);
  const [{ data: g }, { data: sources }, { data: merges }, { data: history }] = await Promise.all([
    api(`mpi/${id}`), api(`mpi/${id}/sources`), api(`mpi/${id}/merges`), api(`mpi/${id}/history`),
  ]);
  replace(ctx.main, h('section', { class: 'record' },
    h('nav', { class: 'crumbs' }, h('a', { href: '#/queue' }, '← ', t('task.back'))),
    h('h1', {}, t('record.title', { mpi: g.mpi_id })),
    g.redirected_from ? h('p', { class: 'banner warn' }, t('record.redirected', { from: g.redirected_from })) : null,
    h('dl', { class: 'facts' },
      h('dt', {}, t('record.status')), h('dd', { id: 'record-status' }, t(`record.status.${g.status}`)),
      FIELDS.map((f) => [h('dt', {}, t(`field.${f}`)), h('dd', {}, valueOf(f, g))])),
    h('h2', {}, t('record.sources', { n: formatNumber(sources.total) })), sourcesTable(sources.items),
    h('h2', {}, t('record.merges')), mergesList(ctx, g.mpi_id, merges.items),
    h('h2', {}, t('record.history')), historyTable(history.items)));
  focusHeading(ctx.main);
}

/**
 * The API query for what was typed: MPI IDs, dates, identifiers (words with digits) and name words.
 * @param {string} text
 */
export function searchQuery(text) {
  const q = new URLSearchParams({ limit: '50' });
  const words = [];
  for (const w of text.trim().split(/\s+/).filter(Boolean)) {
    // A date first: 1988-04-12 also has the shape of an MPI ID.
    if (DATE.test(w)) q.set('date_of_birth', w);
    else if (MPI_ID.test(w.toUpperCase()) && /\d/.test(w)) q.set('mpi_id', w.toUpperCase());
    else if (/\d/.test(w)) q.set('identifier', w);
    else words.push(w);
  }
  if (words.length > 0) q.set('q', words.join(' '));
  return q;
}

/**
 * Draw search results.
 * @param {ViewContext} ctx
 */
export async function renderSearch(ctx) {
  const text = ctx.params.get('q') ?? '';
  /** @type {HTMLInputElement} */ (document.getElementById('search-q')).value = text;
  let result;
  try {
    result = (await api(`mpi/search?${searchQuery(text)}`)).data;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 400)) throw err;
    replace(ctx.main, h('section', {}, h('h1', {}, t('search.title')), h('p', { class: 'notice', role: 'alert' }, t('search.invalid'))));
    return focusHeading(ctx.main);
  }
  const items = /** @type {any[]} */ (result.items);
  // One person found (an MPI ID, an identifier, a birth date only they have): open their record,
  // replacing the search in the history so that Back does not search and open it again.
  if (result.total === 1 && items[0]) return location.replace(`#/record/${seg(items[0].mpi_id)}`);
  replace(ctx.main, h('section', { class: 'search-results' },
    h('h1', {}, t('search.title')),
    h('p', { role: 'status' }, items.length === 0 ? t('search.none', { q: text }) : t('search.count', { n: result.total })),
    h('ul', { class: 'results', id: 'results' }, items.map((g) => h('li', {},
      h('a', { href: `#/record/${seg(g.mpi_id)}` }, [g.first_name, g.last_name].filter(Boolean).join(' ') || g.mpi_id),
      ` · ${g.date_of_birth ? formatDate(g.date_of_birth) : '—'} · ${g.gender ? t(`gender.${g.gender}`) : '—'} · ${g.mpi_id}`)))));
  focusHeading(ctx.main);
}
