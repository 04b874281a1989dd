// @ts-check
/**
 * A review task: the record under review and each candidate golden record side by side, each field
 * with its evidence, the candidates' sources, and the decisions (link, not-a-match, merge), each
 * with a required reason and sent with the task's ETag. When another steward decided first the
 * page says so and shows their decision; it never overwrites it.
 */
import { ApiError, api, seg } from './api.js';
import { hasScope } from './auth.js';
import { announce, focusHeading, h, isTyping, kbd, replace } from './dom.js';
import { askReason } from './dialog.js';
import { ROWS, otherEvidence, rowEvidence, rowVerdict, shortSystem, valueOf } from './evidence.js';
import { formatAge, formatDate, formatDateTime, formatNumber, t } from './i18n.js';
import { lastQueue, listQuery } from './queue.js';

/** @typedef {import('./app.js').ViewContext} ViewContext */

/**
 * The next task after this one in queue order (oldest first), from a fresh read of the queue with
 * every filter of the last queue shown (state, age, source system, score band).
 * @param {{ id: string, created_at: string }} task
 * @returns {Promise<string | null>}
 */
async function nextTaskId(task) {
  const queue = /** @type {{ id: string, created_at: string }[]} */ ((await api(`mpi/reviews?${listQuery(lastQueue.params, lastQueue.counts)}`)).data.items);
  const after = queue.find((o) => o.created_at > task.created_at || (o.created_at === task.created_at && o.id > task.id));
  return (after ?? queue.find((o) => o.id !== task.id))?.id ?? null;
}

/** @param {any} task */
function resolutionBanner(task, lostRace = false) {
  const r = task.resolution;
  return h('div', { class: lostRace ? 'banner warn' : 'banner done', id: 'outcome', role: lostRace ? 'alert' : 'status' },
    lostRace ? h('p', { class: 'strong' }, t('task.lostRace')) : null,
    h('p', {}, t('task.resolved', { action: t(`action.${r.action}`), who: r.user_id ?? r.client_id, date: formatDateTime(r.at) })),
    r.mpi_id ? h('p', {}, t('task.resolvedTarget', { mpi: r.mpi_id }), ' ', h('a', { href: `#/record/${seg(r.mpi_id)}` }, t('task.openRecord', { mpi: r.mpi_id }))) : null,
    r.reason ? h('p', {}, t('task.resolvedReason', { reason: r.reason })) : null);
}

/**
 * @param {any} task
 * @param {number} chosen
 * @param {(i: number) => void} choose
 */
function comparison(task, chosen, choose) {
  const cands = /** @type {any[]} */ (task.candidates);
  const head = h('tr', {}, h('th', { scope: 'col' }, t('task.field')), h('th', { scope: 'col' }, t('task.source'), h('div', { class: 'muted' }, task.source_system ?? '')),
    cands.map((c, i) => h('th', { scope: 'col', class: i === chosen ? 'chosen' : '' },
      h('div', {}, t('task.candidate', { i: i + 1, mpi: c.mpi_id })),
      h('div', { class: 'muted' }, t('task.candidateScore', { score: formatNumber(c.score, 2) })),
      task.state === 'open' ? h('label', { class: 'choose' }, h('input', {
        type: 'radio', name: 'candidate', value: String(i), checked: i === chosen, 'aria-keyshortcuts': String(i + 1), onchange: () => choose(i),
      }), ' ', t('task.choose')) : null)));
  const rows = ROWS.map((row) => h('tr', {}, h('th', { scope: 'row' }, t(`field.${row.key}`)), h('td', {}, valueOf(row.key, task.source)),
    cands.map((c, i) => h('td', { class: `${rowVerdict(row, c.field_weights)}${i === chosen ? ' chosen' : ''}` },
      h('div', {}, valueOf(row.key, c.record)), h('div', { class: 'chips' }, rowEvidence(row, c.field_weights))))));
  const others = cands.map((c) => otherEvidence(c.field_weights));
  const otherRow = others.some((o) => o.length > 0)
    ? h('tr', {}, h('th', { scope: 'row' }, t('task.otherEvidence')), h('td', {}, ''), others.map((o) => h('td', {}, h('div', { class: 'chips' }, o))))
    : null;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'compare', id: 'compare' }, h('caption', { class: 'visually-hidden' }, t('task.compare')),
    h('thead', {}, head), h('tbody', {}, rows, otherRow)));
}

/** @param {any} c */
function candidateSources(c) {
  const title = t('task.sources', { mpi: c.mpi_id });
  if (c.sources.length === 0) return h('section', { class: 'sources' }, h('h3', {}, title), h('p', { class: 'muted' }, t('task.noSources')));
  return h('section', { class: 'sources' }, h('h3', {}, title, ' ', h('a', { href: `#/record/${seg(c.mpi_id)}`, class: 'small' }, t('task.openRecord', { mpi: c.mpi_id }))),
    h('ul', {}, c.sources.map((/** @type {any} */ s) => h('li', {},
      h('strong', {}, s.source_system), ` · ${shortSystem(s.system)} ${s.value} · `,
      [s.first_name, s.last_name].filter(Boolean).join(' ') || '—', s.date_of_birth ? ` · ${formatDate(s.date_of_birth)}` : '',
      s.link ? ` · ${t(`record.link.${s.link}`)}` : ''))));
}

/**
 * Draw a task.
 * @param {ViewContext} ctx
 * @param {string} id
 * @param {{ lostRace?: boolean, decided?: boolean, changed?: boolean }} [note]
 */
export async function renderTask(ctx, id, note = {}) {
  const { data: task, etag } = await api(`mpi/reviews/${seg(id)}`);
  lastQueue.opened = id;
  let chosen = 0;
  const canDecide = task.state === 'open' && hasScope('mpi/review') && task.candidates.length > 0;
  const i = lastQueue.tasks.findIndex((x) => x.id === id);
  const next = h('button', { type: 'button', id: 'next-task', 'aria-keyshortcuts': 'n', onclick: () => void goNext() }, t('task.next'), ' ', kbd('N'));
  const goNext = async () => {
    const nextId = await nextTaskId(task).catch(() => null);
    ctx.go(nextId ? `#/task/${seg(nextId)}` : lastQueue.hash);
  };
  const table = h('div', {});
  const chosenLabel = h('p', { class: 'chosen-label', id: 'chosen' });
  const choose = (/** @type {number} */ n) => {
    if (n < 0 || n >= task.candidates.length) return;
    const radioHadFocus = document.activeElement instanceof HTMLInputElement && document.activeElement.type === 'radio';
    chosen = n;
    replace(table, comparison(task, chosen, choose));
    chosenLabel.textContent = t('task.chosenValue', { mpi: task.candidates[chosen].mpi_id });
    if (radioHadFocus) /** @type {HTMLInputElement | null} */ (table.querySelector(`input[name=candidate][value="${n}"]`))?.focus();
  };
  const decide = async (/** @type {'link' | 'not-a-match' | 'merge'} */ action) => {
    const target = task.candidates[chosen].mpi_id;
    const label = { link: t('task.link'), 'not-a-match': t('task.notAMatch'), merge: t('task.merge') }[action];
    /** @type {'ok' | 'lost' | 'changed' | null} */
    let outcome = null;
    await askReason({
      title: `${label} — ${action === 'not-a-match' ? task.candidates.map((/** @type {any} */ c) => c.mpi_id).join(', ') : target}`,
      help: t(`task.${action === 'not-a-match' ? 'notAMatch' : action}.help`), confirm: t('dialog.confirm', { action: label }), danger: action === 'merge',
      submit: async (reason) => {
        try {
          await api(`mpi/reviews/${seg(id)}/resolve`, { method: 'POST', ifMatch: etag ?? undefined, body: { action, reason, ...(action === 'not-a-match' ? {} : { mpi_id: target }) } });
          outcome = 'ok';
          return null;
        } catch (err) {
          if (err instanceof ApiError && err.status === 409 && err.problem?.task) {
            outcome = err.problem.task.state === 'resolved' ? 'lost' : 'changed';
            return null;
          }
          return err instanceof ApiError && err.problem?.detail ? err.problem.detail : t('error.generic', { status: err instanceof ApiError ? err.status : '?' });
        }
      },
    });
    if (outcome) await renderTask(ctx, id, { decided: outcome === 'ok', lostRace: outcome === 'lost', changed: outcome === 'changed' });
  };
  const actions = canDecide ? h('div', { class: 'actions', role: 'group', 'aria-label': t('task.actions') }, chosenLabel,
    h('button', { type: 'button', class: 'primary', id: 'act-link', 'aria-keyshortcuts': 'l', onclick: () => void decide('link') }, t('task.link'), ' ', kbd('L')),
    h('button', { type: 'button', id: 'act-not-a-match', 'aria-keyshortcuts': 'x', onclick: () => void decide('not-a-match') }, t('task.notAMatch'), ' ', kbd('X')),
    h('button', { type: 'button', class: 'danger', id: 'act-merge', 'aria-keyshortcuts': 'm', onclick: () => void decide('merge') }, t('task.merge'), ' ', kbd('M')),
    next) : h('div', { class: 'actions' }, next);
  replace(ctx.main, h('section', { class: 'task' },
    h('nav', { class: 'crumbs' }, h('a', { href: lastQueue.hash, id: 'back' }, '← ', t('task.back')), i >= 0 ? h('span', { class: 'muted' }, t('task.position', { i: i + 1, n: lastQueue.tasks.length })) : null),
    h('h1', {}, t('task.title')),
    h('p', { class: 'muted' }, t('task.meta', { date: formatDateTime(task.created_at), age: formatAge(task.created_at), source: task.source_system ?? '—', score: formatNumber(task.best_score, 2) })),
    note.changed ? h('p', { class: 'banner warn', role: 'alert' }, t('task.changed')) : null,
    note.decided ? h('p', { class: 'banner done' }, t('task.decided')) : null,
    task.state === 'resolved' ? resolutionBanner(task, note.lostRace) : null,
    table, h('div', { class: 'sources-grid' }, task.candidates.map(candidateSources)), actions));
  choose(0);
  if (note.decided || note.lostRace) {
    next.focus();
    announce(note.lostRace ? t('task.lostRace') : t('task.decided'), note.lostRace ? 'alert' : 'status');
  } else focusHeading(ctx.main);
  ctx.keys((e) => {
    if (isTyping(e) && !(e.target instanceof HTMLInputElement && e.target.type === 'radio')) return false;
    const k = e.key.toLowerCase();
    if (k === 'n') void goNext();
    else if (k === 'escape') ctx.go(lastQueue.hash);
    else if (canDecide && k === 'l') void decide('link');
    else if (canDecide && k === 'x') void decide('not-a-match');
    else if (canDecide && k === 'm') void decide('merge');
    else if (canDecide && /^[1-9]$/.test(k)) choose(Number(k) - 1);
    else return false;
    return true;
  });
}
