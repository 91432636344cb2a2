import type { AddressState, VaultKey } from '../model';

/** `ABCD EF01 …`: fingerprints in blocks of four, as GnuPG and most OpenPGP software show them. */
export function groupFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/** A date as the user's locale writes it, e.g. "1 June 2025". */
export function formatDate(epochMs: number, locale?: string): string {
  return new Date(epochMs).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric' });
}

/** "14:32" (or "2:32 PM"): a time today, as the user's locale writes it. */
export function formatTime(epochMs: number, locale?: string): string {
  return new Date(epochMs).toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
}

/** When an unlocked key will lock itself; empty while it is locked. */
export function autoLockText(autoLockAt: number | null, locale?: string): string {
  return autoLockAt === null ? '' : `Locks automatically at ${formatTime(autoLockAt, locale)} if unused.`;
}

/** How a key is named on screen: its first user id, else its fingerprint's last 16 digits (the key id). */
export function keyTitle(key: Pick<VaultKey, 'userIds' | 'fingerprint'>): string {
  return key.userIds[0] ?? `Key ${groupFingerprint(key.fingerprint.slice(-16))}`;
}

/** "Ed25519, OpenPGP version 4". */
export function keyTypeText(key: Pick<VaultKey, 'algorithm' | 'version'>): string {
  return `${key.algorithm}, OpenPGP version ${key.version}`;
}

/** "Never", "1 June 2027", or "Expired on 1 June 2025". */
export function expiryText(key: Pick<VaultKey, 'expires' | 'expired'>, locale?: string): string {
  if (key.expires === null) return key.expired ? 'Expired' : 'Never';
  return key.expired ? `Expired on ${formatDate(key.expires, locale)}` : formatDate(key.expires, locale);
}

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

/** A byte count for people: `512 bytes`, `3.4 MB`, `1.1 GB` (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
