export { armorKey } from './armor-key';
export { DEFAULT_KEY_LIMITS, keyLimitsFrom, type KeyLimits } from './key-limits';
export { keyIndexEntry, type KeyIndexEntry } from './key-index-entry';
export { mergeKeys } from './merge-keys';
export { purifyUpload, MAX_VERIFICATIONS_PER_UPLOAD, type PurifyOptions } from './purify-upload';
export type { PurifiedKey } from './purified-key';
export { revokedEmails } from './revoked-emails';
export { servableKey } from './servable-key';
export { subkeyFingerprints } from './subkey-fingerprints';
