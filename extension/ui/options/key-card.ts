import type { Publication, VaultKey } from '../../messaging/protocol';
import { sendMessage } from '../../messaging/send-message';
import { busy, el } from '../dom';
import { addressStateText, formatDate, formatTime, groupFingerprint } from '../format';
import { formErrorText } from './create-key-form';
import { attachStrengthMeter, weakPassphraseText } from './strength-meter';

export interface KeyCardDeps {
  readonly refresh: () => Promise<void>;
  readonly confirmDelete: (key: VaultKey) => Promise<boolean>;
  readonly publication: Publication | null;
}

/** One of the user's keys: who, which key, lock state, publishing, passphrase, export and delete. */
export function keyCard(key: VaultKey, deps: KeyCardDeps): HTMLElement {
  const errorBox = el('p', { class: 'error', role: 'alert', hidden: true });
  const title = key.userIds[0] ?? key.fingerprint;
  const card = el(
    'article',
    { class: 'key-card', 'aria-label': title },
    el(
      'header',
      { class: 'row' },
      el('h3', {}, title),
      key.isDefault && el('span', { class: 'badge' }, 'Default'),
      el('span', { class: `badge ${key.unlocked ? 'ok' : ''}` }, key.unlocked ? 'Unlocked' : 'Locked'),
    ),
    ...key.userIds.slice(1).map((id) => el('p', { class: 'muted' }, id)),
    el('p', {}, el('code', { class: 'fingerprint' }, groupFingerprint(key.fingerprint))),
    el(
      'p',
      { class: 'muted' },
      `${key.algorithm}, version ${key.version} · created ${formatDate(key.created)}` +
        (key.expires === null ? '' : ` · expires ${formatDate(key.expires)}`),
    ),
    key.revoked &&
      el('p', { class: 'warning' }, 'This key is revoked: nobody should encrypt to it any more.'),
    key.expired && !key.revoked && el('p', { class: 'warning' }, 'This key has expired.'),
    lockControls(key, errorBox, deps),
    publishControls(key, errorBox, deps),
    actions(key, errorBox, deps),
    errorBox,
  );
  return card;
}

function lockControls(key: VaultKey, errorBox: HTMLElement, deps: KeyCardDeps): HTMLElement {
  if (key.unlocked) {
    const lock = el('button', { class: 'button', type: 'button' }, 'Lock');
    lock.addEventListener(
      'click',
      () =>
        void busy(
          lock,
          errorBox,
          async () => {
            await sendMessage('vault.lock', { fingerprint: key.fingerprint });
            await deps.refresh();
          },
          formErrorText,
        ),
    );
    const until =
      key.autoLockAt === null ? '' : `Locks automatically at ${formatTime(key.autoLockAt)} if unused.`;
    return el('div', { class: 'row' }, lock, el('span', { class: 'muted' }, until));
  }
  const input = el('input', {
    type: 'password',
    name: 'passphrase',
    autocomplete: 'current-password',
    required: true,
  });
  const form = el(
    'form',
    { class: 'row' },
    el('label', { class: 'inline' }, 'Passphrase', input),
    el('button', { class: 'button primary', type: 'submit' }, 'Unlock'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      errorBox,
      async () => {
        await sendMessage('vault.unlock', { fingerprint: key.fingerprint, passphrase: input.value });
        await deps.refresh();
      },
      formErrorText,
    );
  });
  return form;
}

function publishControls(key: VaultKey, errorBox: HTMLElement, deps: KeyCardDeps): HTMLElement {
  const list = el('ul', { class: 'addresses' });
  const show = (p: Publication | null) => {
    const states = new Map(p?.addresses.map((a) => [a.email, a.state]) ?? []);
    list.replaceChildren(
      ...key.emails.map((email) => {
        const state = states.get(email) ?? 'unpublished';
        return el(
          'li',
          {},
          el('span', {}, email),
          el('span', { class: `chip ${state}` }, addressStateText(state, email)),
        );
      }),
    );
  };
  show(deps.publication);
  const publish = el('button', { class: 'button', type: 'button' }, 'Publish to keyserver');
  const refresh = el('button', { class: 'button', type: 'button' }, 'Refresh status');
  publish.addEventListener(
    'click',
    () =>
      void busy(
        publish,
        errorBox,
        async () => show(await sendMessage('publish.key', { fingerprint: key.fingerprint })),
        formErrorText,
      ),
  );
  refresh.addEventListener(
    'click',
    () =>
      void busy(
        refresh,
        errorBox,
        async () => show(await sendMessage('publish.status', { fingerprint: key.fingerprint })),
        formErrorText,
      ),
  );
  const where = deps.publication ? `on ${deps.publication.keyserverUrl}` : 'on the keyserver';
  return el(
    'section',
    { class: 'publish', 'aria-label': 'Publishing' },
    el('h4', {}, `Your addresses ${where}`),
    list,
    el('div', { class: 'row' }, publish, refresh),
  );
}

function actions(key: VaultKey, errorBox: HTMLElement, deps: KeyCardDeps): HTMLElement {
  const button = (label: string, run: () => Promise<void>, extra = '') => {
    const b = el('button', { class: `button ${extra}`, type: 'button' }, label);
    b.addEventListener('click', () => void busy(b, errorBox, run, formErrorText));
    return b;
  };
  const fingerprint = key.fingerprint;
  return el(
    'div',
    { class: 'actions' },
    el(
      'div',
      { class: 'row' },
      !key.isDefault &&
        button('Make default', async () => {
          await sendMessage('vault.setDefault', { fingerprint });
          await deps.refresh();
        }),
      button(
        'Export public key',
        async () => void (await sendMessage('vault.export', { fingerprint, part: 'public' })),
      ),
      button(
        'Export private key',
        async () => void (await sendMessage('vault.export', { fingerprint, part: 'private' })),
      ),
      button(
        'Delete…',
        async () => {
          if (!(await deps.confirmDelete(key))) return;
          await sendMessage('vault.delete', { fingerprint });
          await deps.refresh();
        },
        'danger',
      ),
    ),
    passphraseForm(key, errorBox, 'Change passphrase', deps),
    key.version === 4 && passphraseForm(key, errorBox, 'Export for GnuPG', deps),
  );
}

/** A disclosure with a small form: changing the passphrase, or exporting for GnuPG (which needs it). */
function passphraseForm(
  key: VaultKey,
  errorBox: HTMLElement,
  kind: 'Change passphrase' | 'Export for GnuPG',
  deps: KeyCardDeps,
) {
  const current = el('input', { type: 'password', autocomplete: 'current-password', required: true });
  const form = el(
    'form',
    { class: 'form' },
    el('label', {}, kind === 'Change passphrase' ? 'Current passphrase' : 'Passphrase', current),
  );
  if (kind === 'Export for GnuPG') {
    form.prepend(
      el(
        'p',
        { class: 'muted' },
        'GnuPG cannot read Keyward’s Argon2 protection, so this copy is locked in the older form GnuPG knows, with the same passphrase.',
      ),
    );
    form.append(el('button', { class: 'button', type: 'submit' }, 'Export for GnuPG'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(
        form,
        errorBox,
        async () => {
          await sendMessage('vault.export', {
            fingerprint: key.fingerprint,
            part: 'private-gnupg',
            passphrase: current.value,
          });
          form.reset();
        },
        formErrorText,
      );
    });
  } else {
    const next = el('input', { type: 'password', autocomplete: 'new-password', required: true });
    const repeat = el('input', { type: 'password', autocomplete: 'new-password', required: true });
    const meter = el('div', { class: 'strength' });
    const strength = attachStrengthMeter(next, meter, () => [...key.userIds]);
    form.append(
      el('label', {}, 'New passphrase', next),
      meter,
      el('label', {}, 'Repeat the new passphrase', repeat),
      el('button', { class: 'button', type: 'submit' }, 'Change passphrase'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(
        form,
        errorBox,
        async () => {
          if (next.value !== repeat.value) throw new Error('The two new passphrases are not the same.');
          const checked = await strength();
          if (!checked.acceptable) throw new Error(weakPassphraseText(checked));
          await sendMessage('vault.changePassphrase', {
            fingerprint: key.fingerprint,
            oldPassphrase: current.value,
            newPassphrase: next.value,
          });
          await deps.refresh();
        },
        formErrorText,
      );
    });
  }
  return el('details', {}, el('summary', {}, kind), form);
}
