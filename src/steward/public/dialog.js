// @ts-check
/**
 * The reason dialog every decision goes through (link, not-a-match, merge, unmerge): a native modal
 * <dialog> (focus stays inside, Escape cancels) with a required reason.
 */
import { h, replace } from './dom.js';
import { t } from './i18n.js';

/**
 * Ask for a reason; resolves with it, or null when the steward cancels. `submit` runs with the
 * reason while the dialog stays open, so an error can be shown in it; it returns an error message
 * to show, or null to close.
 * @param {{ title: string, help: string, confirm: string, danger?: boolean, submit: (reason: string) => Promise<string | null> }} opts
 * @returns {Promise<boolean>} true when submitted and closed
 */
export function askReason(opts) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('decide'));
  const reason = h('textarea', { id: 'reason', name: 'reason', rows: 3, required: true, minlength: 3, maxlength: 500, 'aria-describedby': 'decide-help decide-error' });
  const error = h('p', { id: 'decide-error', class: 'error', role: 'alert' });
  const confirm = h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary', id: 'decide-confirm' }, opts.confirm);
  const cancel = h('button', { type: 'button', class: 'quiet', id: 'decide-cancel' }, t('dialog.cancel'));
  const form = h('form', { method: 'dialog', novalidate: true },
    h('h2', { id: 'decide-title' }, opts.title),
    h('p', { id: 'decide-help' }, opts.help),
    h('label', { for: 'reason' }, t('dialog.reason')),
    reason, error,
    h('div', { class: 'buttons' }, confirm, cancel));
  replace(dialog, form);
  return new Promise((resolve) => {
    let done = false;
    const close = (/** @type {boolean} */ ok) => {
      if (done) return;
      done = true;
      if (dialog.open) dialog.close();
      resolve(ok);
    };
    cancel.addEventListener('click', () => close(false));
    dialog.addEventListener('close', () => close(false), { once: true });
    const onSubmit = async () => {
      const text = reason.value.trim();
      if (text.length < 3) {
        error.textContent = t('dialog.reasonShort');
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      confirm.disabled = true;
      const problem = await opts.submit(text);
      confirm.disabled = false;
      if (problem) {
        error.textContent = problem;
        return;
      }
      close(true);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void onSubmit();
    });
    dialog.showModal();
    reason.focus();
  });
}
