/**
 * The one place that fixes Keyward's OpenPGP profile (see profile.ts). Everything here takes and returns plain
 * data (armored text, bytes, web streams, summaries with epoch-ms dates); openpgp.js objects never leave.
 */
export {
  AEAD_CHUNK_SIZE_BYTE,
  KEY_PROTECTION_ARGON2,
  MAX_AEAD_CHUNK_SIZE_BYTE,
  MAX_ARGON2_MEMORY_EXPONENT,
  MAX_ARGON2_WORK,
  PROFILE_CONFIG,
  READ_CONFIG,
  fullConfig,
  type Argon2Params,
} from './profile';
export type { Bytes } from './byte-streams';
export type { KeyInput } from './read-keys';
export { generateKey, type GenerateKeyOptions, type GeneratedKey } from './generate-key';
export { changePassphrase, lockKey, openPrivateKey, unlockKey, type UnlockedKey } from './lock-key';
export { exportForGnuPG } from './export-for-gnupg';
export { publicKeyOf, splitKeys } from './split-keys';
export { mergePrivateKeys } from './merge-keys';
export { mergePublicKeys, readPublicKeys, type PublicKeyEntry } from './public-keys';
export { summarizeKey, summarizeKeys, type KeySummary, type SubkeySummary } from './summarize-key';
export {
  encryptFile,
  warmUpFileEncryption,
  type EncryptFileOptions,
  type EncryptedFile,
} from './encrypt-file';
export { decryptFile, type DecryptFileOptions, type DecryptedFile, type FileSignature } from './decrypt-file';
export { addRecipients, type AddRecipientsOptions, type WithRecipientsAdded } from './add-recipients';
export { inspectMessage, type MessageInfo, type Recipient } from './inspect-message';
export { signText, verifyTextSignature } from './sign-text';
