import type { TrustedGrantItem, TrustedGrantsView } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import { groupFingerprint } from '../format';
import { progressLine, unlockBox } from './legacy-fields';
import { liveSection } from './live-section';
import { mountNewPassphrase } from './new-passphrase';
import { daysText, stateLabel, trustedStateText } from './legacy-text';

/**
 * "People who named you" (docs/legacy.md), the trusted person's side: the grants naming one of the user's keys
 * (the background checks each against the owner's signature), asking for access (signed with that key), and once
 * released, importing the owner's key into the vault under a passphrase the user chooses.
 */
export function mountLegacyTrustedSection(section: HTMLElement, onChange: () => void) {
  const notice = el('p', { class: 'ok', role: 'status', hidden: true });
  const sectionError = errorBox();
  const progress = el('p', { class: 'progress muted', role: 'status', hidden: true });
  const unlocks = el('div', { class: 'legacy-unlocks' });
  const list = el('div', { class: 'key-list legacy-grants', 'aria-label': 'Grants naming you' });
  const checkAgain = el('button', { class: 'button', type: 'button' }, 'Check again');
  section.replaceChildren(
    el('h2', { id: 'legacy-trusted-heading', tabindex: '-1' }, 'People who named you'),
    el(
      'p',
      { class: 'muted' },
      'When someone names you as their trusted person, Keyward shows it here. Ask for access only when you need ' +
        'it: they are mailed at once and can refuse during their waiting period.',
    ),
    notice,
    sectionError,
    progress,
    unlocks,
    list,
    el('div', { class: 'row' }, checkAgain),
  );

  const withProgress = progressLine(progress);
  const { say, refresh, after } = liveSection({
    notice,
    error: sectionError,
    load: () =>
      withProgress('Asking the keyserver for grants naming your keys…', () =>
        sendMessage('legacy.trustedGrants', {}),
      ),
    render: (view) => render(view),
    onChange,
  });

  function render(view: TrustedGrantsView): void {
    unlocks.replaceChildren(
      ...view.locked.map((key) =>
        unlockBox(key, 'Unlock it to see whether someone named you with it.', () => after('Key unlocked.')),
      ),
    );
    list.replaceChildren(
      ...(view.rejected > 0
        ? [
            el(
              'p',
              { class: 'warning' },
              `${view.keyserverUrl} listed ${view.rejected} grant${view.rejected === 1 ? '' : 's'} whose owner’s signature ` +
                'did not check out. Keyward left them out.',
            ),
          ]
        : []),
      ...(view.grants.length === 0 && view.locked.length === 0
        ? [el('p', { class: 'muted' }, `Nobody has named you on ${view.keyserverUrl}.`)]
        : []),
      ...view.grants.map((g) => grantCard(g, { after, withProgress })),
    );
  }

  checkAgain.addEventListener('click', () => {
    say('');
    void refresh();
  });
  return { refresh };
}

interface CardDeps {
  readonly after: (message: string) => Promise<void>;
  readonly withProgress: <T>(text: string, work: () => Promise<T>) => Promise<T>;
}

function grantCard(g: TrustedGrantItem, deps: CardDeps): HTMLElement {
  const error = errorBox();
  const headingId = `legacy-for-me-${g.grantId}`;
  const pinText = {
    same: `This is the key you have for ${g.ownerAddress}.`,
    different:
      `This is NOT the key you have for ${g.ownerAddress}. Ask them which key is theirs: Keyward will not import ` +
      'a key other than the one you have for them.',
    none: `Compare this fingerprint with ${g.ownerAddress} if you can.`,
  }[g.ownerPin];
  const card = el(
    'article',
    { class: 'key-card', 'aria-labelledby': headingId, 'data-grant': g.grantId, 'data-state': g.state },
    el(
      'header',
      { class: 'key-card-head' },
      el('h3', { id: headingId, tabindex: '-1' }, `From ${g.ownerAddress}`),
      el('span', { class: 'badges' }, el('span', { class: 'badge' }, stateLabel(g.state))),
    ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Waiting period'),
      el('dd', {}, daysText(g.waitingDays)),
      el('dt', {}, 'Their key'),
      el('dd', {}, el('code', { class: 'fingerprint' }, groupFingerprint(g.ownerFingerprint))),
      el('dt', {}, 'For your key'),
      el('dd', {}, el('code', { class: 'fingerprint' }, groupFingerprint(g.trustedFingerprint))),
    ),
    el('p', { class: g.ownerPin === 'different' ? 'warning' : 'muted' }, pinText),
    el('p', {}, trustedStateText(g)),
  );

  const mayAsk = g.state === 'waiting' || (g.state === 'refused' && g.nextRequestAt === null);
  if (mayAsk) {
    const ask = el('button', { class: 'button primary', type: 'button' }, 'Ask for access');
    ask.addEventListener('click', () => {
      void busy(ask, error, async () => {
        const { grant } = await deps.withProgress('Signing your request with your key…', () =>
          sendMessage('legacy.requestAccess', {
            grantId: g.grantId,
            trustedFingerprint: g.trustedFingerprint,
          }),
        );
        await deps.after(
          `You asked ${g.ownerAddress} for access. ${grant.ownerAddress} was mailed; ${trustedStateText(grant)}`,
        );
      });
    });
    card.append(el('div', { class: 'row' }, ask));
  }

  if (g.state === 'released' && !g.imported) card.append(importForm(g, deps, error));
  card.append(error);
  return card;
}

/** Once released: a passphrase for the owner's key in this vault, then fetch, check, open and import. */
function importForm(g: TrustedGrantItem, deps: CardDeps, error: HTMLElement): HTMLElement {
  const n = g.grantId.slice(0, 8);
  const passphrase = el('input', {
    type: 'password',
    name: `legacy-new-${n}`,
    autocomplete: 'new-password',
    required: true,
  });
  const repeat = el('input', {
    type: 'password',
    name: `legacy-repeat-${n}`,
    autocomplete: 'new-password',
    required: true,
  });
  const strengthBox = el('div', { class: 'strength' });
  const form = el(
    'form',
    { class: 'form', novalidate: true, 'aria-label': `Import ${g.ownerAddress}’s key` },
    el('p', {}, `Choose a passphrase for ${g.ownerAddress}’s key in your Keyward.`),
    el('label', {}, el('span', {}, 'New passphrase'), passphrase),
    strengthBox,
    el('label', {}, el('span', {}, 'Repeat the new passphrase'), repeat),
    el(
      'div',
      { class: 'row' },
      el('button', { class: 'button primary', type: 'submit' }, 'Import their key'),
    ),
  );
  const check = mountNewPassphrase({
    passphrase,
    repeat,
    strengthBox,
    userInputs: () => [g.ownerAddress, g.trustedAddress],
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      error,
      async () => {
        await check();
        const imported = await deps.withProgress(
          `Fetching ${g.ownerAddress}’s key, checking their signatures and opening it with yours… this takes a few seconds.`,
          () =>
            sendMessage('legacy.importReleased', {
              grantId: g.grantId,
              trustedFingerprint: g.trustedFingerprint,
              newPassphrase: passphrase.value,
            }),
        );
        await deps.after(
          `${imported.label} is now among your keys, unlocked. Files encrypted to it decrypt in Keyward now.`,
        );
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
  return el('section', { class: 'key-section', 'aria-label': 'Import their key' }, form);
}
