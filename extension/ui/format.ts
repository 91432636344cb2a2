/** `ABCD EF01 …`: fingerprints in blocks of four, as GnuPG and most OpenPGP software show them. */
export function groupFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/** A date as the user's locale writes it, e.g. "1 June 2025". */
export function formatDate(epochMs: number, locale?: string): string {
  return new Date(epochMs).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric' });
}

/** "14:32": when an unlocked key will lock itself. */
export function formatTime(epochMs: number, locale?: string): string {
  return new Date(epochMs).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

export type AddressState = 'unpublished' | 'pending' | 'published';

/** What a person reads for an address's state on the keyserver. */
export function addressStateText(state: AddressState, email: string): string {
  switch (state) {
    case 'published':
      return 'Published';
    case 'pending':
      return `Waiting for you to confirm the mail sent to ${email}`;
    case 'unpublished':
      return 'Not published';
  }
}
