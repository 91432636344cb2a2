import { hasReason } from '../../../shared/errors';
import type { LegacyKeyRef } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import { groupFingerprint } from '../format';

let ids = 0;

/** A labelled field with an error line under it, tied to it (aria-describedby, aria-invalid while it says something). */
export function fieldWithError(
  label: string,
  input: HTMLInputElement,
  help?: string,
): { wrap: HTMLElement; show: (message: string | undefined) => void } {
  const n = ++ids;
  const errorLine = el('span', { class: 'field-error', id: `legacy-field-error-${n}`, hidden: true });
  const helpLine = help ? el('span', { class: 'field-help', id: `legacy-field-help-${n}` }, help) : null;
  input.setAttribute(
    'aria-describedby',
    [errorLine.id, helpLine?.id].filter((id): id is string => id !== undefined).join(' '),
  );
  const wrap = el(
    'div',
    { class: 'legacy-field' },
    el('label', {}, el('span', {}, label), input),
    helpLine,
    errorLine,
  );
  return {
    wrap,
    show(message) {
      errorLine.textContent = message ?? '';
      errorLine.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** The waiting-period field: a number from 1 to 90. */
export function daysInput(value: number): HTMLInputElement {
  return el('input', {
    type: 'number',
    name: 'waitingDays',
    inputmode: 'numeric',
    min: '1',
    max: '90',
    step: '1',
    required: true,
    value: String(value),
  });
}

/** A refusal because a key is locked (the vault's reason `key_locked`): the page asks to unlock it. */
export function isLockedError(error: unknown): boolean {
  return hasReason(error, 'key_locked');
}

/**
 * "Unlock <key> to …": a passphrase field and Unlock, like a key card's. Legacy actions sign with the key, so a
 * locked key is unlocked here, in place, and the section re-reads afterwards.
 */
export function unlockBox(key: LegacyKeyRef, why: string, unlocked: () => Promise<void>): HTMLElement {
  const error = errorBox();
  const passphrase = el('input', {
    type: 'password',
    name: 'passphrase',
    autocomplete: 'current-password',
    required: true,
  });
  const form = el(
    'form',
    { class: 'inline-form', 'aria-label': `Unlock ${key.label}` },
    el('label', {}, el('span', {}, `Passphrase of ${key.label}`), passphrase),
    el('button', { class: 'button primary', type: 'submit' }, 'Unlock'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      error,
      async () => {
        await sendMessage('vault.unlock', { fingerprint: key.fingerprint, passphrase: passphrase.value });
        form.reset();
        await unlocked();
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
  return el(
    'div',
    { class: 'legacy-unlock', 'data-fingerprint': key.fingerprint },
    el('p', {}, `${key.label} is locked. ${why}`),
    el('p', { class: 'muted' }, el('code', { class: 'fingerprint' }, groupFingerprint(key.fingerprint))),
    form,
    error,
  );
}

/**
 * Runs slow steps (a keyserver round trip, a signature, sealing a key) with `line` saying what each is doing.
 */
export function progressLine(line: HTMLElement) {
  return async function withProgress<T>(text: string, work: () => Promise<T>): Promise<T> {
    line.textContent = text;
    line.hidden = false;
    try {
      return await work();
    } finally {
      line.hidden = true;
    }
  };
}
