import type { Contact, ContactsView, KeyChange } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import { formatDate, formatTime, groupFingerprint } from '../format';
import { qrCode } from '../qr-code';
import { requiredElement } from '../required-element';
import { liveSection, onFilePicked } from './live-section';

const SOURCE_TEXT: Record<Contact['source'], string> = {
  file: 'imported from a file',
  paste: 'pasted in',
  keyserver: 'from the Keyward keyserver',
  wkd: 'from their domain (WKD)',
  'keys.openpgp.org': 'from keys.openpgp.org',
  group: 'from a group file',
};

/**
 * "People": other people's keys. Key changes come first (nothing goes to that address until the user decides),
 * then adding someone (look up by address, import a file, paste a key), then each contact with its fingerprint
 * (as text and QR code, to compare out of band), where it came from, when it was last checked, and its state.
 */
export function mountContactsSection(onChange: () => void): { refresh: () => Promise<void> } {
  const list = requiredElement('contacts', HTMLDivElement);
  const changes = requiredElement('key-changes', HTMLDivElement);
  const notice = requiredElement('contacts-notice', HTMLParagraphElement);
  const lookupForm = requiredElement('contact-lookup-form', HTMLFormElement);
  const pasteForm = requiredElement('contact-paste-form', HTMLFormElement);
  const fileInput = requiredElement('contact-file', HTMLInputElement);
  const refreshAll = requiredElement('contacts-refresh', HTMLButtonElement);
  const sectionError = requiredElement('contacts-error', HTMLParagraphElement);

  function render(view: ContactsView): void {
    changes.replaceChildren(...view.changes.map((c) => changeCard(c, view, after)));
    const awaiting = view.awaiting.map((a) =>
      el(
        'li',
        {},
        `${a.email}: waiting for key `,
        el('code', { class: 'fingerprint' }, groupFingerprint(a.fingerprint)),
        ' (from a group file; it is looked up at the first upload).',
      ),
    );
    list.replaceChildren(
      ...(view.contacts.length === 0 && awaiting.length === 0
        ? [el('p', { class: 'muted' }, 'No one yet. Add people by address, or import their public key.')]
        : []),
      ...view.contacts.map((c) => contactCard(c, after)),
      ...(awaiting.length > 0 ? [el('ul', { class: 'awaiting' }, ...awaiting)] : []),
    );
  }

  const { refresh, after } = liveSection({
    notice,
    error: sectionError,
    load: () => sendMessage('contacts.list', {}),
    render,
    onChange,
  });

  const lookupError = lookupForm.querySelector<HTMLElement>('.error')!;
  lookupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = lookupForm.elements.namedItem('email') as HTMLInputElement;
    void busy(lookupForm, lookupError, async () => {
      const found = await sendMessage('contacts.lookup', { email: input.value });
      input.value = '';
      await after(
        found.changed.length > 0
          ? `A different key was found for ${found.changed.join(', ')}: see "Key changes" above.`
          : `Found key ${groupFingerprint(found.fingerprint)}. Compare the fingerprint with its owner to mark it verified.`,
      );
    });
  });
  const pasteError = pasteForm.querySelector<HTMLElement>('.error')!;
  pasteForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = pasteForm.elements.namedItem('armored') as HTMLTextAreaElement;
    void busy(pasteForm, pasteError, async () => {
      const result = await sendMessage('contacts.import', { data: text.value, source: 'paste' });
      text.value = '';
      await after(importedText(result));
    });
  });
  const fileError = requiredElement('contact-file-error', HTMLParagraphElement);
  onFilePicked(fileInput, fileError, async (file) => {
    const data = new Uint8Array(await file.arrayBuffer());
    await after(importedText(await sendMessage('contacts.import', { data, source: 'file' })));
  });
  refreshAll.addEventListener('click', () => {
    void busy(refreshAll, sectionError, async () => {
      const result = await sendMessage('contacts.refresh', {});
      await after(
        result.problems.length === 0
          ? `Checked ${result.refreshed} address${result.refreshed === 1 ? '' : 'es'}.`
          : `Checked ${result.refreshed}; not found now: ${result.problems.join(' · ')}`,
      );
    });
  });

  void refresh();
  return { refresh };
}

function importedText(result: { added: string[]; changed: string[] }): string {
  const added = `${result.added.length} key${result.added.length === 1 ? '' : 's'} added.`;
  return result.changed.length > 0
    ? `${added} A different key than the one Keyward knows was offered for ${result.changed.join(', ')}: see "Key changes".`
    : added;
}

/** A key change: both fingerprints, side by side, and the two choices. */
function changeCard(change: KeyChange, view: ContactsView, after: (message: string) => Promise<void>) {
  const pinned = view.contacts.find((c) => c.fingerprint === change.pinned);
  const error = errorBox();
  const decide = (accept: boolean) => (event: Event) => {
    const button = event.currentTarget as HTMLButtonElement;
    void busy(button, error, async () => {
      await sendMessage('contacts.decide', { email: change.email, accept });
      await after(
        accept
          ? `Uploads to ${change.email} now use key ${groupFingerprint(change.offered)}.`
          : `Keyward keeps using key ${groupFingerprint(change.pinned)} for ${change.email}.`,
      );
    });
  };
  const use = el('button', { class: 'button', type: 'button' }, 'Use the new key');
  const keep = el('button', { class: 'button primary', type: 'button' }, 'Keep the key I had');
  use.addEventListener('click', decide(true));
  keep.addEventListener('click', decide(false));
  return el(
    'article',
    { class: 'key-change', role: 'alert', 'data-email': change.email },
    el('h3', {}, `The key for ${change.email} has changed`),
    el(
      'p',
      {},
      'Nothing is encrypted to this address until you decide. Ask its owner, in person or by phone, which ' +
        'fingerprint is theirs. A key that changes without reason can mean someone is trying to read their files.',
    ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Key you had'),
      el(
        'dd',
        {},
        el('code', { class: 'fingerprint', 'data-role': 'pinned' }, groupFingerprint(change.pinned)),
        pinned?.verified ? ' (you verified this one)' : '',
      ),
      el('dt', {}, 'New key'),
      el(
        'dd',
        {},
        el('code', { class: 'fingerprint', 'data-role': 'offered' }, groupFingerprint(change.offered)),
        ` ${SOURCE_TEXT[change.source]}, ${formatDate(change.seenAt)} ${formatTime(change.seenAt)}`,
      ),
    ),
    el('div', { class: 'row' }, keep, use),
    error,
  );
}

function contactCard(contact: Contact, after: (message: string) => Promise<void>) {
  const title = contact.userIds[0] ?? contact.emails[0] ?? contact.fingerprint;
  const error = errorBox();
  const qrBox = el('div', { class: 'qr', hidden: true });
  const qrButton = el(
    'button',
    { class: 'button', type: 'button', 'aria-expanded': 'false' },
    'Show QR code',
  );
  qrButton.addEventListener('click', () => {
    const open = qrBox.hidden;
    if (open && !qrBox.firstChild) {
      qrBox.append(
        qrCode(`OPENPGP4FPR:${contact.fingerprint}`, `QR code of the fingerprint of ${title}'s key`),
        el('p', { class: 'muted' }, 'Scan it on their phone or Keyward, or compare the digits above.'),
      );
    }
    qrBox.hidden = !open;
    qrButton.setAttribute('aria-expanded', String(open));
    qrButton.textContent = open ? 'Hide QR code' : 'Show QR code';
  });
  const action = (label: string, work: () => Promise<string>, primary = false) => {
    const button = el('button', { class: primary ? 'button primary' : 'button', type: 'button' }, label);
    button.addEventListener('click', () => void busy(button, error, async () => after(await work())));
    return button;
  };
  const flags = [
    contact.revoked && el('span', { class: 'badge danger' }, 'Revoked'),
    contact.expired && !contact.revoked && el('span', { class: 'badge warn' }, 'Expired'),
    !contact.canEncrypt &&
      !contact.revoked &&
      !contact.expired &&
      el('span', { class: 'badge warn' }, 'Cannot encrypt'),
    contact.verified
      ? el('span', { class: 'badge ok' }, 'Verified')
      : el('span', { class: 'badge' }, 'Not verified'),
  ];
  const unusable = contact.revoked || contact.expired || !contact.canEncrypt;
  return el(
    'article',
    { class: 'key-card', 'aria-label': title, 'data-contact': contact.fingerprint },
    el('header', { class: 'key-card-head' }, el('h3', {}, title), el('span', { class: 'badges' }, ...flags)),
    contact.userIds.length > 1 &&
      el(
        'ul',
        { class: 'user-ids', 'aria-label': 'Also on this key' },
        ...contact.userIds.slice(1).map((id) => el('li', {}, id)),
      ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Fingerprint'),
      el('dd', {}, el('code', { class: 'fingerprint' }, groupFingerprint(contact.fingerprint))),
      el('dt', {}, 'Used for'),
      el('dd', {}, contact.pinnedFor.join(', ') || 'no address (kept for its revocation)'),
      el('dt', {}, 'Came'),
      el('dd', {}, `${SOURCE_TEXT[contact.source]}, ${formatDate(contact.addedAt)}`),
      el('dt', {}, 'Last checked'),
      el('dd', {}, `${formatDate(contact.refreshedAt)} ${formatTime(contact.refreshedAt)}`),
    ),
    unusable &&
      el(
        'p',
        { class: 'warning' },
        contact.revoked
          ? 'This key is revoked: Keyward never encrypts new files to it. Ask its owner for their new key.'
          : contact.expired
            ? 'This key has expired: Keyward does not encrypt new files to it until its owner extends it.'
            : 'This key cannot encrypt: Keyward does not use it for new files.',
      ),
    el(
      'div',
      { class: 'row' },
      action(
        contact.verified ? 'Mark as not verified' : 'Mark as verified',
        async () => {
          await sendMessage('contacts.verify', {
            fingerprint: contact.fingerprint,
            verified: !contact.verified,
          });
          return contact.verified ? `${title}: marked as not verified.` : `${title}: marked as verified.`;
        },
        !contact.verified,
      ),
      qrButton,
      action('Check for updates', async () => {
        const result = await sendMessage('contacts.refresh', { fingerprint: contact.fingerprint });
        return result.problems.length === 0
          ? `${title}: checked.`
          : `${title}: ${result.problems.join(' · ')}`;
      }),
      action('Remove', async () => {
        await sendMessage('contacts.remove', { fingerprint: contact.fingerprint });
        return `${title} removed. Uploads that go to this address look it up again.`;
      }),
    ),
    qrBox,
    error,
  );
}
