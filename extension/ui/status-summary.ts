import type { StatusResponse } from '../model';
import { keyTitle } from './format';

export interface StatusSummary {
  /** The default key's state: that is the key uploads are encrypted with and downloads decrypted with. */
  readonly state: 'no-key' | 'locked' | 'unlocked';
  /** A word or two: the headline of the popup. */
  readonly label: string;
  /** Whose key it is ("Alice <alice@example.org>"); null without a key. */
  readonly who: string | null;
  /** One sentence saying what it means for the user. */
  readonly detail: string;
}

/** How the popup and options page put the background's status into words. */
export function summarizeStatus(status: StatusResponse): StatusSummary {
  const key = status.defaultKey;
  if (status.keys === 0 || key === null) {
    return {
      state: 'no-key',
      label: 'No key yet',
      who: null,
      detail: 'Keyward needs your key before it can encrypt uploads.',
    };
  }
  const others = status.keys > 1 ? ` (your default of ${status.keys} keys)` : '';
  const who = `${keyTitle(key)}${others}`;
  return key.unlocked
    ? { state: 'unlocked', label: 'Unlocked', who, detail: 'Ready to encrypt and decrypt files.' }
    : { state: 'locked', label: 'Locked', who, detail: 'Unlock your key to encrypt and decrypt files.' };
}
