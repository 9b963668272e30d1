/**
 * Confirmation for every action, in a native <dialog>: showModal() traps focus and Escape cancels, so it
 * is keyboard-usable without extra code. An irreversible action can require typing a word (the request
 * id) before the confirm button is enabled.
 */
import { field, h } from '../shared/dom.ts';

export interface ConfirmOptions {
  title: string;
  description: string;
  /** Extra inputs (already labelled with field()); the caller reads them after confirmation. */
  fields?: HTMLElement[];
  confirmLabel: string;
  danger?: boolean;
  /** The exact text the staff member must type to enable the confirm button. */
  requireText?: string;
  /** Runs before closing on confirm; return a message to keep the dialog open and show it. */
  validate?: () => string | undefined;
}

export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const confirm = h('button', { type: 'submit', class: options.danger ? 'danger' : 'primary', value: 'confirm' }, options.confirmLabel);
    const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
    const error = h('p', { class: 'message error', role: 'alert', hidden: true });
    let typed: HTMLInputElement | undefined;
    if (options.requireText) {
      typed = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', name: 'confirm-text' });
      confirm.disabled = true;
      typed.addEventListener('input', () => {
        confirm.disabled = typed!.value.trim() !== options.requireText;
      });
    }
    const titleId = `dlg-title-${Math.random().toString(36).slice(2)}`;
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: titleId }, options.title),
      h('p', {}, options.description),
      ...(options.fields ?? []),
      typed ? field(`Type the request id ${options.requireText} to confirm`, typed) : null,
      error,
      h('div', { class: 'actions' }, confirm, cancel),
    );
    const dialog = h('dialog', { 'aria-labelledby': titleId }, form);
    const finish = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const problem = options.validate?.();
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        return;
      }
      finish(true);
    });
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    (form.querySelector<HTMLElement>('select, textarea, input') ?? cancel).focus();
  });
}
