import type { Publication, VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, doneLine, el, errorBox, markDone } from '../dom';
import { addressStateText, formatTime, keyTitle } from '../format';
import type { KeyCardDeps } from './key-card';

/**
 * The key's addresses on the keyserver, each with its state, and the buttons to publish (the keyserver mails a
 * confirmation link to each address) or to ask again.
 */
export function publishSection(key: VaultKey, deps: KeyCardDeps): HTMLElement {
  const fingerprint = key.fingerprint;
  // States reported by a keyserver that is no longer the one in the settings say nothing about the new one.
  const last =
    deps.publication &&
    (deps.keyserverUrl === undefined || deps.publication.keyserverUrl === deps.keyserverUrl)
      ? deps.publication
      : null;
  const server = last?.keyserverUrl ?? deps.keyserverUrl;
  const heading = el(
    'h4',
    {},
    'Publishing',
    server && el('span', { class: 'muted' }, ` on ${hostOf(server)}`),
  );
  if (key.emails.length === 0) {
    return el(
      'section',
      { class: 'key-section', 'aria-label': `Publishing: ${keyTitle(key)}` },
      heading,
      el('p', { class: 'muted' }, 'This key has no email address, so the keyserver cannot publish it.'),
    );
  }
  const list = el('ul', { class: 'addresses' });
  const checked = el('p', { class: 'muted small' });
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
    checked.textContent = p ? `Keyserver asked at ${formatTime(p.checkedAt)}.` : '';
  };
  show(last);
  watch(last);

  /**
   * While an address waits for its mail to be confirmed, the keyserver is asked again every little while (while
   * the page is in view, for a quarter of an hour at most): the state changes here once the user has confirmed.
   */
  function watch(p: Publication | null, round = 0): void {
    if (!p?.addresses.some((a) => a.state === 'pending') || round >= WATCH_ROUNDS) return;
    setTimeout(() => {
      if (!list.isConnected) return; // the card was drawn again: its new section watches
      if (document.visibilityState !== 'visible') return watch(p, round + 1);
      sendMessage('publish.status', { fingerprint }).then(
        (next) => {
          show(next);
          watch(next, round + 1);
        },
        () => watch(p, round + 1),
      );
    }, WATCH_EVERY_MS);
  }

  const error = errorBox();
  const done = doneLine();
  const publish = el('button', { class: 'button', type: 'button' }, 'Publish to keyserver');
  const refresh = el('button', { class: 'button', type: 'button' }, 'Refresh status');
  publish.addEventListener('click', () => {
    done.hidden = true;
    void busy(publish, error, async () => {
      const publication = await sendMessage('publish.key', { fingerprint });
      show(publication);
      watch(publication);
      const waiting = publication.addresses.filter((a) => a.state === 'pending').map((a) => a.email);
      markDone(
        done,
        waiting.length > 0
          ? `Sent. Open the mail sent to ${waiting.join(', ')} and confirm; the state here follows by itself.`
          : 'Sent. The keyserver has your current key.',
      );
    });
  });
  refresh.addEventListener('click', () => {
    done.hidden = true;
    void busy(refresh, error, async () => show(await sendMessage('publish.status', { fingerprint })));
  });
  return el(
    'section',
    { class: 'key-section', 'aria-label': `Publishing: ${keyTitle(key)}` },
    heading,
    el(
      'p',
      { class: 'muted small' },
      'Published addresses let others find this key and encrypt files to you.',
    ),
    list,
    checked,
    el('div', { class: 'row' }, publish, refresh),
    done,
    error,
  );
}

const WATCH_EVERY_MS = 5000;
const WATCH_ROUNDS = 180;

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url;
}
