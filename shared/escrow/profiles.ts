import { KeywardError } from '../errors';

/**
 * The Argon2id costs of the OPAQUE key stretching the client accepts. The server stores the
 * name with the account and says it at login; the client runs only a profile from this list, so a server cannot
 * make it run a denial-of-service cost.
 */
export const ESCROW_PROFILES = {
  'argon2id-256m': { memory: 262_144, iterations: 3, parallelism: 1 },
  'argon2id-64m': { memory: 65_536, iterations: 3, parallelism: 1 },
} as const;
export type EscrowProfile = keyof typeof ESCROW_PROFILES;
export const DEFAULT_ESCROW_PROFILE: EscrowProfile = 'argon2id-256m';

export function checkProfile(name: unknown): EscrowProfile {
  if (typeof name === 'string' && Object.hasOwn(ESCROW_PROFILES, name)) return name as EscrowProfile;
  throw new KeywardError(
    'unavailable',
    'The keyserver asked for a key-stretching cost Keyward does not accept, so nothing was sent. Check the ' +
      'keyserver address in the settings.',
  );
}

/** What @serenity-kit/opaque takes as `keyStretching` for a profile. */
export type KeyStretching = {
  'argon2id-custom': { memory: number; iterations: number; parallelism: number };
};

export function stretchingOf(profile: EscrowProfile): KeyStretching {
  return { 'argon2id-custom': { ...ESCROW_PROFILES[profile] } };
}
