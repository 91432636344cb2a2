import type { StatusResponse } from '../messaging/protocol';

export interface StatusSummary {
  readonly state: 'no-key' | 'locked' | 'unlocked';
  /** A word or two: the headline of the popup. */
  readonly label: string;
  /** One sentence saying what it means for the user. */
  readonly detail: string;
}

/** How the popup and options page put the background's status into words. */
export function summarizeStatus(status: StatusResponse): StatusSummary {
  if (status.keys === 0) {
    return {
      state: 'no-key',
      label: 'No key yet',
      detail: 'Keyward needs your key before it can encrypt uploads.',
    };
  }
  const keys = status.keys === 1 ? '1 key' : `${status.keys} keys`;
  return status.locked
    ? { state: 'locked', label: 'Locked', detail: `${keys}, locked. Unlock to encrypt and decrypt files.` }
    : { state: 'unlocked', label: 'Unlocked', detail: `${keys}, ready to encrypt and decrypt files.` };
}
