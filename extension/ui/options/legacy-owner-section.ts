import { isKeywardError } from '../../../shared/errors';
import type { OwnerGrantItem, OwnerGrantsView } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import { errorText } from '../error-text';
import { groupFingerprint } from '../format';
import { daysInput, fieldWithError, isLockedError, progressLine, unlockBox } from './legacy-fields';
import { liveSection } from './live-section';
import { daysText, dateAndTime, ownerStateText, parseWaitingDays, stateLabel } from './legacy-text';

const DEFAULT_DAYS = 14;

/**
 * "If something happens to you" (docs/legacy.md), the owner's side: name a trusted person by address (their key
 * found and pinned like any contact's), with a waiting period; each grant with its state, and what the owner can do
 * about it (refuse a pending request, change the waiting period, revoke). Everything is signed with the owner's
 * key in the background; a locked key is unlocked here first.
 */
export function mountLegacyOwnerSection(section: HTMLElement, onChange: () => void) {
  const notice = el('p', { class: 'ok', role: 'status', hidden: true });
  const sectionError = errorBox();
  const progress = el('p', { class: 'progress muted', role: 'status', hidden: true });
  const unlocks = el('div', { class: 'legacy-unlocks' });
  const list = el('div', { class: 'key-list legacy-grants', 'aria-label': 'Your trusted people' });
  const checkAgain = el('button', { class: 'button', type: 'button' }, 'Check again');
  const form = newGrantForm();
  section.replaceChildren(
    el('h2', { id: 'legacy-heading', tabindex: '-1' }, 'If something happens to you'),
    el(
      'p',
      {},
      'Name a trusted person who can get your key if you cannot answer any more. When they ask, you are mailed ' +
        'at once and can refuse here; if you do nothing for the whole waiting period, their Keyward receives ' +
        'your key and can open all your files, those from before and after.',
    ),
    el(
      'p',
      { class: 'muted' },
      'Keyward gives them your whole key, not only files you share from now on: that would add a hidden extra ' +
        'key to every upload (which sites would see) and leave your earlier files closed. To give someone ' +
        'chosen files now, share those files with them. Your key is sealed for their key on this device; the ' +
        'keyserver cannot open it, but it keeps the clock, so choose someone you would trust with your key today.',
    ),
    notice,
    sectionError,
    progress,
    unlocks,
    list,
    el('div', { class: 'row' }, checkAgain),
    form.element,
  );

  const withProgress = progressLine(progress);
  const { say, refresh, after } = liveSection({
    notice,
    error: sectionError,
    load: () =>
      withProgress('Asking the keyserver about your grants…', () => sendMessage('legacy.ownerGrants', {})),
    render: (view) => render(view),
    onChange,
  });

  function render(view: OwnerGrantsView): void {
    unlocks.replaceChildren(
      ...view.locked.map((key) =>
        unlockBox(key, 'Unlock it to see and manage the grants made with it.', () => after('Key unlocked.')),
      ),
    );
    list.replaceChildren(
      ...(view.grants.length === 0 && view.locked.length === 0
        ? [el('p', { class: 'muted' }, `You have not named anyone on ${view.keyserverUrl}.`)]
        : []),
      ...view.grants.map((g) => grantCard(g, { after, withProgress })),
    );
    form.setOwners(view.owners);
  }

  function newGrantForm() {
    const keySelect = el('select', { name: 'owner' });
    const keyField = el('label', { hidden: true }, el('span', {}, 'With your key'), keySelect);
    const address = el('input', {
      type: 'email',
      name: 'trustedAddress',
      autocomplete: 'off',
      maxlength: '254',
      required: true,
      placeholder: 'robin@example.org',
    });
    const addressField = fieldWithError(
      'Their address',
      address,
      'Their key must be published (on the Keyward keyserver or their own domain). Keyward keeps it like any contact’s.',
    );
    const days = daysInput(DEFAULT_DAYS);
    const daysField = fieldWithError(
      'Waiting period in days (1 to 90)',
      days,
      'How long you have to refuse after they ask. Choose at least as long as you might be away.',
    );
    const error = errorBox();
    const element = el(
      'form',
      { class: 'form narrow', novalidate: true, 'aria-labelledby': 'legacy-new-heading' },
      el('h3', { id: 'legacy-new-heading' }, 'Name a trusted person'),
      keyField,
      addressField.wrap,
      daysField.wrap,
      error,
      el('div', { class: 'row' }, el('button', { class: 'button primary', type: 'submit' }, 'Name them')),
    );
    element.addEventListener('submit', (event) => {
      event.preventDefault();
      const typed = address.value.trim();
      const parsed = parseWaitingDays(days.value);
      addressField.show(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(typed) ? undefined : 'Enter their email address.');
      daysField.show('problem' in parsed ? parsed.problem : undefined);
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(typed)) return address.focus();
      if ('problem' in parsed) return days.focus();
      void busy(element, error, async () => {
        try {
          const { grant } = await withProgress(
            `Looking up the key of ${typed}, sealing your key for it and saving the grant… this takes a few seconds.`,
            () =>
              sendMessage('legacy.create', {
                fingerprint: keySelect.value,
                trustedAddress: typed,
                waitingDays: parsed.days,
              }),
          );
          address.value = '';
          days.value = String(DEFAULT_DAYS);
          await after(
            `${grant.trustedAddress} is your trusted person (their key ${groupFingerprint(grant.trustedFingerprint)}). ` +
              'Tell them: their Keyward shows the grant under “People who named you”.',
          );
        } catch (e) {
          // An address with no usable key: the address field is what to fix.
          if (isKeywardError(e, 'not_found')) {
            addressField.show(errorText(e));
            address.focus();
            return;
          }
          if (isLockedError(e)) await refresh();
          throw e;
        }
      });
    });
    return {
      element,
      setOwners(owners: OwnerGrantsView['owners']) {
        const chosen = keySelect.value;
        keySelect.replaceChildren(
          ...owners.map((o) =>
            el('option', { value: o.fingerprint, selected: o.fingerprint === chosen }, o.label),
          ),
        );
        keyField.hidden = owners.length < 2;
        element.hidden = owners.length === 0;
      },
    };
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

/** One grant: whom, how long, its state, and what can be done about it now. */
function grantCard(g: OwnerGrantItem, deps: CardDeps): HTMLElement {
  const error = errorBox();
  const headingId = `legacy-grant-${g.grantId}`;
  const live = g.state !== 'revoked';
  const warnings = [
    !g.ownerKeyCurrent &&
      live &&
      'This grant was made with a key the keyserver no longer has for your address: it gives them that old key. ' +
        'Revoke it and name them again with your current key.',
    !g.trustedKeyCurrent &&
      live &&
      `The keyserver no longer has the key this grant is sealed for as ${g.trustedAddress}’s (revoked or replaced). ` +
        'Ask them, then revoke this grant and name them again.',
  ].filter((w): w is string => typeof w === 'string');

  const card = el(
    'article',
    { class: 'key-card', 'aria-labelledby': headingId, 'data-grant': g.grantId, 'data-state': g.state },
    el(
      'header',
      { class: 'key-card-head' },
      el('h3', { id: headingId, tabindex: '-1' }, g.trustedAddress),
      el(
        'span',
        { class: 'badges' },
        el('span', { class: `badge ${badgeClass(g.state)}` }, stateLabel(g.state)),
      ),
    ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Waiting period'),
      el('dd', {}, daysText(g.waitingDays)),
      el('dt', {}, 'Their key'),
      el('dd', {}, el('code', { class: 'fingerprint' }, groupFingerprint(g.trustedFingerprint))),
      el('dt', {}, 'Named'),
      el('dd', {}, dateAndTime(g.createdAt)),
    ),
    el('p', { class: g.state === 'requested' || g.state === 'released' ? 'warning' : '' }, ownerStateText(g)),
    ...warnings.map((w) => el('p', { class: 'warning' }, w)),
  );

  const act = (button: HTMLButtonElement, progress: string, work: () => Promise<string>) => {
    void busy(button, error, async () => {
      const message = await deps.withProgress(progress, work);
      await deps.after(message);
    });
  };

  if (g.state === 'requested' && g.request) {
    const requestId = g.request.id;
    const refuse = el('button', { class: 'button danger-fill', type: 'button' }, 'Refuse access');
    refuse.addEventListener('click', () =>
      act(refuse, 'Signing your refusal with your key…', async () => {
        await sendMessage('legacy.refuse', {
          grantId: g.grantId,
          requestId,
          ownerFingerprint: g.ownerFingerprint,
        });
        return `You refused ${g.trustedAddress}’s request. They were told, and get nothing.`;
      }),
    );
    card.append(el('div', { class: 'row' }, refuse));
  }

  if (live) {
    const days = daysInput(g.waitingDays);
    const daysField = fieldWithError('New waiting period in days (1 to 90)', days);
    const save = el('button', { class: 'button', type: 'submit' }, 'Change');
    const change = el(
      'form',
      { class: 'form', novalidate: true, 'aria-label': `Change the waiting period for ${g.trustedAddress}` },
      daysField.wrap,
      g.state === 'requested'
        ? el('p', { class: 'field-help' }, 'A change cancels their pending request; they may ask again.')
        : null,
      el('div', { class: 'row' }, save),
    );
    change.addEventListener('submit', (event) => {
      event.preventDefault();
      const parsed = parseWaitingDays(days.value);
      daysField.show('problem' in parsed ? parsed.problem : undefined);
      if ('problem' in parsed) return days.focus();
      act(save, 'Sealing your key again and signing the new terms…', async () => {
        await sendMessage('legacy.change', {
          grantId: g.grantId,
          ownerFingerprint: g.ownerFingerprint,
          waitingDays: parsed.days,
        });
        return `The waiting period for ${g.trustedAddress} is now ${daysText(parsed.days)}.`;
      });
    });

    const revoke = el(
      'button',
      { class: 'button danger', type: 'button', 'aria-expanded': 'false' },
      'Revoke…',
    );
    const confirm = el('button', { class: 'button danger-fill', type: 'button' }, 'Revoke this grant');
    const cancel = el('button', { class: 'button', type: 'button' }, 'Keep it');
    const confirmRow = el(
      'div',
      { class: 'row', hidden: true },
      el('span', {}, `${g.trustedAddress} will no longer be able to get your key.`),
      confirm,
      cancel,
    );
    revoke.addEventListener('click', () => {
      confirmRow.hidden = false;
      revoke.setAttribute('aria-expanded', 'true');
      confirm.focus();
    });
    cancel.addEventListener('click', () => {
      confirmRow.hidden = true;
      revoke.setAttribute('aria-expanded', 'false');
      revoke.focus();
    });
    confirm.addEventListener('click', () =>
      act(confirm, 'Signing the revocation with your key…', async () => {
        await sendMessage('legacy.revoke', { grantId: g.grantId, ownerFingerprint: g.ownerFingerprint });
        return `You revoked the grant for ${g.trustedAddress}. The keyserver erased what it held for them.`;
      }),
    );
    card.append(
      el(
        'section',
        { class: 'key-section', 'aria-label': `Change or revoke: ${g.trustedAddress}` },
        change,
        el('div', { class: 'row' }, revoke),
        confirmRow,
      ),
    );
  }

  if (g.history.length > 0) {
    card.append(
      el(
        'details',
        { class: 'more' },
        el('summary', {}, 'History'),
        el(
          'ul',
          { class: 'legacy-history' },
          ...g.history.map((h) => el('li', {}, `${dateAndTime(h.at)}: ${h.event} (${h.actor})`)),
        ),
      ),
    );
  }
  card.append(error);
  return card;
}

function badgeClass(state: OwnerGrantItem['state']): string {
  return { waiting: '', requested: 'warn', released: 'danger', revoked: '', refused: 'ok' }[state];
}
