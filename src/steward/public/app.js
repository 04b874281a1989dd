// @ts-check
/**
 * The steward page: start-up (language, sign-in), the hash router (#/queue, #/task/ID,
 * #/record/MPI-ID, #/search?q=…) and the shortcuts that work everywhere.
 */
import { ApiError, configureApi } from './api.js';
import { SignInError, accessToken, completeSignIn, currentSession, developmentSession, endSession, hasScope, startSignIn } from './auth.js';
import { announce, focusHeading, h, isTyping, kbd, replace } from './dom.js';
import { currentLang, initialLang, setLang, t } from './i18n.js';
import { renderQueue } from './queue.js';
import { renderRecord, renderSearch } from './record.js';
import { renderTask } from './task.js';

/** @typedef {import('./auth.js').PageConfig} PageConfig */
/**
 * What a view gets: where to draw, its parameters, and how to navigate and take keys.
 * @typedef {{ main: HTMLElement, params: URLSearchParams, go: (hash: string) => void,
 *   keys: (handler: ((e: KeyboardEvent) => boolean) | null) => void, error: (err: unknown) => void }} ViewContext
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
/** @type {PageConfig | null} */
let config = null;
/** @type {((e: KeyboardEvent) => boolean) | null} */
let viewKeys = null;
let renderId = 0;
/** Whether a session existed in this tab (then a missing one has expired). */
let signedInOnce = false;

function labelStatic() {
  document.title = t('app.title');
  const set = (/** @type {string} */ id, /** @type {string} */ key) => {
    const el = document.getElementById(id);
    if (el) el.textContent = t(key);
  };
  set('skip', 'app.skip');
  set('search-label', 'search.label');
  set('search-submit', 'search.submit');
  set('lang-label', 'nav.language');
  set('signout', 'nav.signOut');
  const q = /** @type {HTMLInputElement} */ (document.getElementById('search-q'));
  q.placeholder = t('search.placeholder');
  const shortcuts = /** @type {HTMLElement} */ (document.getElementById('shortcuts-button'));
  shortcuts.setAttribute('aria-label', t('nav.shortcuts'));
  shortcuts.title = t('nav.shortcuts');
  /** @type {HTMLSelectElement} */ (document.getElementById('lang')).value = currentLang();
  const s = currentSession();
  const user = /** @type {HTMLElement} */ (document.getElementById('user'));
  user.textContent = s && config?.sign_in === 'oauth' ? t('nav.signedInAs', { user: s.user }) : '';
  /** @type {HTMLElement} */ (document.getElementById('signout')).hidden = !(s && config?.sign_in === 'oauth');
  /** @type {HTMLElement} */ (document.getElementById('search')).hidden = !(s && hasScope('system/Patient.read'));
}

/**
 * The sign-in screen, with a message when there is one to give.
 * @param {string} [message]
 */
function showSignIn(message) {
  viewKeys = null;
  labelStatic();
  const cfg = config;
  const button = cfg?.sign_in === 'oauth'
    ? h('button', { type: 'button', class: 'primary', id: 'signin', onclick: () => void startSignIn(cfg, location.hash || '#/queue') }, t('signin.button'))
    : null;
  replace(main, h('section', { class: 'signin' },
    h('h1', {}, t('signin.title')),
    message ? h('p', { class: 'notice', role: 'alert' }, message) : null,
    h('p', {}, t('signin.text')),
    button));
  button?.focus();
}

/** @param {unknown} err */
function showError(err) {
  if (err instanceof ApiError && err.status === 401) return;
  const message = !(err instanceof ApiError) ? String(err)
    : err.status === 0 ? t('error.network')
      : err.status === 404 ? t('error.notFound')
        : err.status === 403 ? t('error.forbidden')
          : t('error.generic', { status: err.status });
  replace(main, h('section', {}, h('h1', {}, t('error.generic', { status: err instanceof ApiError ? err.status : '?' })), h('p', { class: 'notice', role: 'alert' }, message),
    h('p', {}, h('a', { href: '#/queue' }, t('task.back')))));
  focusHeading(main);
}

/** Draw the view the address names. */
async function route() {
  if (!currentSession()) return showSignIn(signedInOnce ? t('signin.expired') : undefined);
  labelStatic();
  viewKeys = null;
  const id = ++renderId;
  const [path, query] = (location.hash.slice(1) || '/queue').split('?');
  const parts = (path ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  /** @type {ViewContext} */
  const ctx = {
    main, params: new URLSearchParams(query ?? ''),
    go: (hash) => { location.hash = hash; },
    keys: (handler) => { if (id === renderId) viewKeys = handler; },
    error: (err) => { if (id === renderId) showError(err); },
  };
  replace(main, h('p', { class: 'loading' }, t('loading')));
  try {
    if (parts[0] === 'task' && parts[1]) await renderTask(ctx, parts[1]);
    else if (parts[0] === 'record' && parts[1]) await renderRecord(ctx, parts[1]);
    else if (parts[0] === 'search') await renderSearch(ctx);
    else await renderQueue(ctx);
  } catch (err) {
    ctx.error(err);
  }
}

function showShortcuts() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('shortcuts'));
  const rows = [['/', 'shortcuts.search'], ['Q', 'shortcuts.queue'], ['↑ ↓', 'shortcuts.move'], ['Enter', 'shortcuts.open'], ['N', 'shortcuts.next'],
    ['1–9', 'shortcuts.candidate'], ['L', 'shortcuts.link'], ['X', 'shortcuts.notAMatch'], ['M', 'shortcuts.merge'], ['Esc', 'shortcuts.back']];
  const close = h('button', { type: 'button', class: 'primary', onclick: () => dialog.close() }, t('shortcuts.close'));
  replace(dialog, h('h2', { id: 'shortcuts-title' }, t('shortcuts.title')),
    h('dl', { class: 'shortcuts' }, rows.map(([key, label]) => [h('dt', {}, kbd(key ?? '')), h('dd', {}, t(label ?? ''))])), close);
  dialog.showModal();
  close.focus();
}

/** @param {KeyboardEvent} e */
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
  if (viewKeys?.(e)) {
    e.preventDefault();
    return;
  }
  if (isTyping(e)) return;
  if (e.key === '/' && !(/** @type {HTMLElement} */ (document.getElementById('search')).hidden)) {
    e.preventDefault();
    /** @type {HTMLInputElement} */ (document.getElementById('search-q')).focus();
  } else if (e.key === '?') {
    e.preventDefault();
    showShortcuts();
  } else if (e.key === 'q' || e.key === 'Q') {
    e.preventDefault();
    location.hash = '#/queue';
  }
}

function wireHeader() {
  /** @type {HTMLSelectElement} */ (document.getElementById('lang')).addEventListener('change', (e) => {
    setLang(/** @type {'fr' | 'en'} */ (/** @type {HTMLSelectElement} */ (e.target).value), true);
    void route();
  });
  document.getElementById('search')?.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = /** @type {HTMLInputElement} */ (document.getElementById('search-q')).value.trim();
    if (q) location.hash = `#/search?${new URLSearchParams({ q })}`;
  });
  document.getElementById('shortcuts-button')?.addEventListener('click', showShortcuts);
  document.getElementById('signout')?.addEventListener('click', () => {
    endSession();
    const cfg = config;
    if (cfg?.sign_in === 'oauth' && cfg.end_session_endpoint) {
      location.assign(`${cfg.end_session_endpoint}?${new URLSearchParams({ client_id: cfg.client_id, post_logout_redirect_uri: cfg.redirect_uri })}`);
      return;
    }
    showSignIn(t('signin.signedOut'));
  });
  window.addEventListener('hashchange', () => void route());
  document.addEventListener('keydown', onKey);
}

async function start() {
  setLang(initialLang());
  labelStatic();
  wireHeader();
  configureApi(accessToken, () => {
    endSession();
    showSignIn(t('signin.expired'));
  });
  const res = await fetch(new URL('config.json', import.meta.url), { cache: 'no-store' }).catch(() => null);
  if (!res?.ok) return showSignIn(t('signin.unavailable'));
  config = await res.json();
  if (config?.sign_in === 'none') developmentSession();
  else if (config?.sign_in !== 'oauth') return showSignIn(t('signin.unconfigured'));
  else {
    try {
      await completeSignIn(config);
    } catch (err) {
      return showSignIn(t('signin.failed', { reason: err instanceof SignInError ? err.message : 'error' }));
    }
  }
  signedInOnce = !!currentSession();
  if (currentSession() && !hasScope('mpi/review')) announce(t('scope.noReview'));
  await route();
}

void start();
