import type { Publication, VaultKey } from '../../model';
import { el } from '../dom';
import { expiryText, formatDate, groupFingerprint, keyTitle, keyTypeText } from '../format';
import { keyActions } from './key-actions';
import { lockSection } from './key-lock-section';
import { publishSection } from './key-publish-section';
import { recoverySection } from './key-recovery-section';

/** What a card needs from the page. */
export interface KeyCardDeps {
  /** The keyserver in the settings, where "Publish" sends the key. */
  readonly keyserverUrl: string | undefined;
  /** What that keyserver last said about this key's addresses; null if it was never asked. */
  readonly publication: Publication | null;
  /** A confirmation of the last action on this key, shown once at the top of the card. */
  readonly message?: string;
  /** What the last action could not do for this key, shown as a warning. */
  readonly warning?: string;
  /**
   * Re-reads the vault and redraws the page. `focus`: the fingerprint whose card takes the focus afterwards;
   * `message`: what to confirm there (or at the top of the page when that key is gone).
   */
  readonly refresh: (after?: { focus?: string; message?: string }) => Promise<void>;
  /** Asks "Delete this key?"; resolves true if the user confirmed. */
  readonly confirmDelete: (key: VaultKey) => Promise<boolean>;
}

/** The DOM id of a key's card heading, which takes the focus after an action on that key. */
export function keyHeadingId(fingerprint: string): string {
  return `key-${fingerprint}`;
}

/** One of the user's keys: who, which key, lock state, publishing, passphrase, exports and delete. */
export function keyCard(key: VaultKey, deps: KeyCardDeps): HTMLElement {
  const title = keyTitle(key);
  return el(
    'article',
    { class: 'key-card', 'aria-label': title, 'data-fingerprint': key.fingerprint },
    el(
      'header',
      { class: 'key-card-head' },
      el('h3', { id: keyHeadingId(key.fingerprint), tabindex: '-1' }, title),
      el(
        'span',
        { class: 'badges' },
        key.isDefault && el('span', { class: 'badge accent' }, 'Default'),
        key.unlocked
          ? el('span', { class: 'badge ok' }, 'Unlocked')
          : el('span', { class: 'badge' }, 'Locked'),
        key.revoked && el('span', { class: 'badge danger' }, 'Revoked'),
        key.expired && !key.revoked && el('span', { class: 'badge warn' }, 'Expired'),
      ),
    ),
    key.userIds.length > 1 &&
      el(
        'ul',
        { class: 'user-ids', 'aria-label': 'Also on this key' },
        ...key.userIds.slice(1).map((id) => el('li', {}, id)),
      ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Fingerprint'),
      el('dd', {}, el('code', { class: 'fingerprint' }, groupFingerprint(key.fingerprint))),
      el('dt', {}, 'Type'),
      el('dd', {}, keyTypeText(key)),
      el('dt', {}, 'Created'),
      el('dd', {}, formatDate(key.created)),
      el('dt', {}, 'Expires'),
      el('dd', {}, expiryText(key)),
    ),
    ...warnings(key).map((text) => el('p', { class: 'warning' }, text)),
    deps.message ? el('p', { class: 'ok', role: 'status' }, deps.message) : null,
    deps.warning ? el('p', { class: 'warning', role: 'alert' }, deps.warning) : null,
    lockSection(key, deps),
    recoverySection(key, deps),
    publishSection(key, deps),
    keyActions(key, deps),
  );
}

function warnings(key: VaultKey): string[] {
  if (key.revoked)
    return ['This key is revoked: nobody should encrypt to it any more. Create or import a new key.'];
  const list: string[] = [];
  if (key.expired) list.push('This key has expired: others can no longer encrypt to it.');
  else if (!key.canEncrypt) list.push('This key has no encryption subkey: files cannot be encrypted to it.');
  return list;
}
