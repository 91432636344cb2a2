import { KeywardError } from '../shared/errors';
import type { Email } from '../shared/identity';
import { unusableReason, type LookupResult, type LookupSource } from '../shared/recipients/key-lookup';
import type { PinnedKey } from '../shared/recipients/pinned-keyring';
import type { KeyringData, KeySource } from './keyring-store';

/** The key new files for one address go to: pinned, usable now. */
export interface RecipientKey {
  readonly email: Email;
  readonly fingerprint: string;
  /** The user id with that address ("Alice <alice@example.org>"), or the address. */
  readonly userId: string;
  readonly armored: string;
}

/** Every source was asked and none could answer: "no key" would be a guess. */
export function allFailed(result: LookupResult, sources: readonly LookupSource[]): boolean {
  return sources.length > 0 && result.failed.length === sources.length;
}

/** A pinned key's verdict as a key to use, or the error the app must act on; `checked`: a lookup just made. */
export function usableOrThrow(
  pinned: PinnedKey,
  ring: KeyringData,
  checked: LookupResult | null,
  sources: readonly LookupSource[],
): RecipientKey {
  const attempts = checked?.attempts ?? [];
  const looked = attempts.length > 0 ? ` (looked in: ${attempts.join('; ')})` : checked ? '' : ' (offline)';
  switch (pinned.status) {
    case 'usable':
      return {
        email: pinned.email,
        fingerprint: pinned.fingerprint,
        userId: pinned.userId,
        armored: pinned.armored,
      };
    case 'changed': {
      const source: KeySource | undefined = ring.changes[pinned.email]?.source;
      return keyChanged(pinned.email, pinned.pinned, pinned.offered, source);
    }
    case 'unusable':
      throw new KeywardError(
        'forbidden',
        `${pinned.summary.userIds[0] ?? pinned.email}: ${unusableReason(pinned.summary)}, so nothing was ` +
          `encrypted to it. Ask ${pinned.email} for a new key; once it is published, accept it as a key change.`,
        { reason: 'key_unusable', email: pinned.email, fingerprint: pinned.summary.fingerprint },
      );
    case 'awaiting':
      throw new KeywardError(
        'not_found',
        `No key with the fingerprint ${pinned.fingerprint} (pinned by a group file) was found for ` +
          `${pinned.email}${looked}. Nothing was encrypted.`,
        { reason: 'not_found', email: pinned.email },
      );
    case 'none':
      if (checked && allFailed(checked, sources)) {
        throw new KeywardError(
          'unavailable',
          `No key source could be asked about ${pinned.email}${looked}, and no key is pinned for it. Nothing ` +
            'was encrypted; try again later.',
          { reason: 'sources_unavailable', email: pinned.email },
        );
      }
      throw new KeywardError(
        'not_found',
        `No usable key for ${pinned.email} was found${looked}. Nothing was encrypted.`,
        { reason: 'not_found', email: pinned.email },
      );
  }
}

function keyChanged(email: Email, pinned: string, offered: string, source: KeySource | undefined): never {
  const from = source === 'file' ? 'an imported key file' : (source ?? 'a lookup');
  throw new KeywardError(
    'conflict',
    `The key for ${email} has changed: the keyring has ${pinned} pinned, and ${from} now offers ${offered}. ` +
      `Nothing was encrypted. Compare the fingerprints with ${email} by another channel, then accept the new ` +
      'key or reject it (`keyward keys accept|reject ADDRESS`, or keys.accept/keys.reject in the library).',
    { reason: 'key_changed', email, pinned, offered },
  );
}
