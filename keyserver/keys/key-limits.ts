/**
 * Size and count limits of the key policy (README: "Uploads are purified"). Every upload and every merge is cut to
 * them, so one key cannot grow without bound the way SKS keys did in the 2019 certificate-flooding attack.
 */
export interface KeyLimits {
  /** The whole key after purification, in bytes. */
  maxKeyBytes: number;
  /** User IDs kept per key; over the cap, the ones with the newest self-signatures stay. */
  maxUserIds: number;
  /** Subkeys kept per key; over the cap, the ones with the newest binding or revocation signatures stay. */
  maxSubkeys: number;
  /** Any one packet; a larger user ID, subkey or signature is dropped, a larger primary key refused. */
  maxPacketBytes: number;
  /** One user ID's UTF-8 text; longer user IDs are dropped. */
  maxUserIdBytes: number;
  /** Self-signatures kept per component (and, separately, revocations): the newest ones. */
  maxSignaturesPerComponent: number;
}

export const DEFAULT_KEY_LIMITS: KeyLimits = Object.freeze({
  maxKeyBytes: 32 * 1024,
  maxUserIds: 20,
  maxSubkeys: 20,
  maxPacketBytes: 8 * 1024,
  maxUserIdBytes: 1024,
  maxSignaturesPerComponent: 5,
});

/** The configurable limits (env MAX_KEY_BYTES, MAX_USER_IDS, MAX_SUBKEYS) over the defaults. */
export function keyLimitsFrom(config: {
  readonly MAX_KEY_BYTES: number;
  readonly MAX_USER_IDS: number;
  readonly MAX_SUBKEYS: number;
}): KeyLimits {
  return Object.freeze({
    ...DEFAULT_KEY_LIMITS,
    maxKeyBytes: config.MAX_KEY_BYTES,
    maxUserIds: config.MAX_USER_IDS,
    maxSubkeys: config.MAX_SUBKEYS,
  });
}
