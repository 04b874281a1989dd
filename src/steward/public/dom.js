// @ts-check
/**
 * A few DOM helpers: build elements without innerHTML (nothing from the API is ever parsed as
 * HTML), announce messages to screen readers, move focus to a view's heading.
 */

/**
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Attrs
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * Create an element. Attributes starting with `on` are listeners; `class`, `for`, `aria-*`,
 * `data-*` and other names are attributes; `false`/`null`/`undefined` leave the attribute out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[] | Child[][])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {(Child | Child[] | Child[][])[]} children
 */
function append(el, children) {
  for (const c of children.flat(2)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
}

/**
 * Replace an element's content.
 * @param {Element} el
 * @param {...(Child | Child[] | Child[][])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * Say something to screen-reader users (and show it in the status line).
 * @param {string} message
 * @param {'status' | 'alert'} [kind]
 */
export function announce(message, kind = 'status') {
  const region = document.getElementById(kind === 'alert' ? 'alert' : 'status');
  if (!region) return;
  region.textContent = '';
  // A new text node in a live region is what screen readers pick up.
  requestAnimationFrame(() => {
    region.textContent = message;
  });
}

/**
 * Put the focus on a view's main heading, so keyboard and screen-reader users start there.
 * @param {HTMLElement} root
 */
export function focusHeading(root) {
  const heading = root.querySelector('h1');
  if (heading instanceof HTMLElement) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/**
 * True when a key event comes from a place where typing goes (shortcuts must not fire there).
 * @param {KeyboardEvent} e
 */
export function isTyping(e) {
  const el = /** @type {HTMLElement | null} */ (e.target);
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * A keyboard hint shown on a button.
 * @param {string} key
 */
export function kbd(key) {
  return h('kbd', { 'aria-hidden': 'true' }, key);
}
