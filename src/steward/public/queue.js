// @ts-check
/**
 * The review queue: filters (state, age, source system, score band) with their counts, the tasks
 * oldest first (up to 1,000 per load), moved through with the arrow keys.
 */
import { api } from './api.js';
import { hasScope } from './auth.js';
import { announce, focusHeading, h, isTyping, replace } from './dom.js';
import { formatAge, formatDateTime, formatNumber, t } from './i18n.js';

/** @typedef {import('./app.js').ViewContext} ViewContext */
/** @typedef {{ id: string, state: string, created_at: string, source_system?: string, best_score: number, candidates: { mpi_id: string, score: number }[], resolution?: { action: string } }} TaskSummary */

const PAGE = 1000;
/**
 * The last queue shown: its address, filters, counts (the score bands' bounds) and tasks in order
 * (the task view's “next”).
 */
export const lastQueue = { hash: '#/queue', params: new URLSearchParams(), counts: /** @type {any} */ (null), tasks: /** @type {TaskSummary[]} */ ([]), opened: '' };

/**
 * The API query for the queue's filters.
 * @param {URLSearchParams} params - state, age, source, band
 * @param {any} counts - the counts response (band bounds)
 * @param {number} offset
 */
export function listQuery(params, counts, offset = 0) {
  const q = new URLSearchParams({ state: params.get('state') === 'resolved' ? 'resolved' : 'open', limit: String(PAGE), offset: String(offset) });
  if (params.get('age')) q.set('older_than_days', String(params.get('age')));
  if (params.get('source')) q.set('source', String(params.get('source')));
  const band = counts?.by_score_band?.find((/** @type {any} */ b) => b.band === params.get('band'));
  if (band?.min_score !== undefined) q.set('min_score', String(band.min_score));
  if (band?.max_score !== undefined) q.set('max_score', String(band.max_score));
  return q;
}

/**
 * @param {string} id
 * @param {string} label
 * @param {string} value
 * @param {[string, string][]} options - value, label
 * @param {(value: string) => void} onChange
 */
function select(id, label, value, options, onChange) {
  const el = h('select', { id, name: id, onchange: (e) => onChange(/** @type {HTMLSelectElement} */ (e.target).value) },
    options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  return h('div', { class: 'field' }, h('label', { for: id }, label), el);
}

/**
 * @param {ViewContext} ctx
 * @param {any} counts
 */
function filters(ctx, counts) {
  const p = ctx.params;
  const set = (/** @type {string} */ key) => (/** @type {string} */ value) => {
    const next = new URLSearchParams(p);
    if (value) next.set(key, value); else next.delete(key);
    lastQueue.opened = '';
    ctx.go(`#/queue?${next}`);
  };
  const n = (/** @type {string} */ label, /** @type {number} */ count) => t('queue.withCount', { label, n: formatNumber(count) });
  return h('form', { class: 'filters', 'aria-label': t('queue.filters'), onsubmit: (e) => e.preventDefault() },
    select('f-state', t('queue.state'), p.get('state') ?? 'open', [['open', t('queue.state.open')], ['resolved', t('queue.state.resolved')]], set('state')),
    select('f-age', t('queue.age'), p.get('age') ?? '', [['', t('queue.age.any')],
      ...counts.by_age.map((/** @type {any} */ a) => /** @type {[string, string]} */ ([String(a.older_than_days), n(t('queue.age.older', { n: a.older_than_days }), a.count)]))], set('age')),
    select('f-source', t('queue.source'), p.get('source') ?? '', [['', t('queue.source.any')],
      ...counts.by_source_system.map((/** @type {any} */ s) => /** @type {[string, string]} */ ([s.source_system, n(s.source_system, s.count)]))], set('source')),
    select('f-band', t('queue.band'), p.get('band') ?? '', [['', t('queue.band.any')],
      ...counts.by_score_band.map((/** @type {any} */ b) => /** @type {[string, string]} */ ([b.band, n(t(`queue.band.${b.band}`), b.count)]))], set('band')));
}

/**
 * A bar for a score (decoration: the number beside it is what is read). A plain element, lighter to
 * lay out a thousand times than <meter>; its width is set through the CSSOM, which the page's
 * policy allows (it forbids inline style attributes).
 * @param {number} score
 */
function scoreBar(score) {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${Math.round(Math.max(0, Math.min(1, score)) * 100)}%`;
  return h('span', { class: 'bar', 'aria-hidden': 'true' }, fill);
}

/**
 * One row of the table.
 * @param {TaskSummary} task
 * @param {number} now
 */
function row(task, now) {
  const created = formatDateTime(task.created_at);
  return h('tr', { 'data-task': task.id },
    h('td', {}, h('a', { href: `#/task/${encodeURIComponent(task.id)}`, tabindex: -1, class: 'task-link', 'aria-label': t('queue.open', { date: created }) }, created)),
    h('td', {}, formatAge(task.created_at, now)),
    h('td', {}, task.source_system ?? '—'),
    h('td', { class: 'num' }, scoreBar(task.best_score), ' ', formatNumber(task.best_score, 2)),
    h('td', { class: 'num' }, formatNumber(task.candidates.length)),
    h('td', {}, task.resolution ? t(`action.${task.resolution.action}`) : '—'));
}

/**
 * Keys of the queue: arrows (or j/k) move between tasks, Home/End, N opens the oldest.
 * @param {HTMLTableSectionElement} body
 * @param {ViewContext} ctx
 */
function queueKeys(body, ctx) {
  return (/** @type {KeyboardEvent} */ e) => {
    if (isTyping(e)) return false;
    const links = /** @type {HTMLAnchorElement[]} */ ([...body.querySelectorAll('a.task-link')]);
    const at = links.indexOf(/** @type {HTMLAnchorElement} */ (document.activeElement));
    const move = { ArrowDown: at + 1, j: at + 1, ArrowUp: at - 1, k: at - 1, Home: 0, End: links.length - 1 }[e.key];
    if (move !== undefined && links.length > 0) {
      rove(links, Math.max(0, Math.min(links.length - 1, move)));
      return true;
    }
    if ((e.key === 'n' || e.key === 'N') && links[0]) {
      ctx.go(links[0].getAttribute('href') ?? '#/queue');
      return true;
    }
    return false;
  };
}

/**
 * Roving focus: one task link is in the tab order, the arrows move it.
 * @param {HTMLAnchorElement[]} links
 * @param {number} i
 */
function rove(links, i) {
  for (const l of links) l.tabIndex = -1;
  const target = links[i];
  if (!target) return;
  target.tabIndex = 0;
  target.focus();
}

/**
 * Draw the queue.
 * @param {ViewContext} ctx
 */
export async function renderQueue(ctx) {
  if (!hasScope('mpi/review')) {
    replace(ctx.main, h('section', {}, h('h1', {}, t('queue.title')), h('p', { class: 'notice' }, t('scope.noReview'))));
    return focusHeading(ctx.main);
  }
  const state = ctx.params.get('state') === 'resolved' ? 'resolved' : 'open';
  const counts = (await api(`mpi/reviews/counts?state=${state}`)).data;
  const first = (await api(`mpi/reviews?${listQuery(ctx.params, counts)}`)).data;
  const tasks = /** @type {TaskSummary[]} */ (first.items);
  Object.assign(lastQueue, { hash: location.hash || '#/queue', params: ctx.params, counts, tasks });
  const now = Date.now();
  const body = h('tbody', {}, tasks.map((task) => row(task, now)));
  const shown = h('p', { class: 'muted', id: 'queue-shown' });
  const more = h('button', { type: 'button', id: 'load-more', class: 'quiet' }, t('queue.loadMore'));
  const updateShown = () => {
    shown.textContent = t('queue.loaded', { shown: formatNumber(tasks.length), total: formatNumber(first.total) });
    more.hidden = tasks.length >= first.total;
  };
  const loadMore = async () => {
    const page = (await api(`mpi/reviews?${listQuery(ctx.params, counts, tasks.length)}`)).data;
    tasks.push(...page.items);
    body.append(...page.items.map((/** @type {TaskSummary} */ task) => row(task, Date.now())));
    updateShown();
  };
  more.addEventListener('click', () => void loadMore().catch(ctx.error));
  updateShown();
  const head = ['queue.col.task', 'queue.col.created', 'queue.col.source', 'queue.col.score', 'queue.col.candidates', 'queue.col.outcome'];
  replace(ctx.main, h('section', { class: 'queue' },
    h('h1', {}, t('queue.title')),
    h('p', { id: 'queue-summary' }, t('queue.summary', { n: first.total })),
    filters(ctx, counts),
    tasks.length === 0 ? h('p', { class: 'notice' }, t('queue.empty')) : h('div', { class: 'table-wrap' },
      h('table', { class: 'tasks', 'aria-describedby': 'queue-summary queue-hint' },
        h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col' }, t(k))))), body)),
    h('p', { class: 'muted', id: 'queue-hint' }, t('queue.nextHint')), shown, more));
  const links = /** @type {HTMLAnchorElement[]} */ ([...body.querySelectorAll('a.task-link')]);
  const back = links.findIndex((l) => l.closest('tr')?.getAttribute('data-task') === lastQueue.opened);
  if (back >= 0) rove(links, back);
  else {
    if (links[0]) links[0].tabIndex = 0;
    focusHeading(ctx.main);
  }
  ctx.keys(queueKeys(body, ctx));
  announce(t('queue.summary', { n: first.total }));
}
