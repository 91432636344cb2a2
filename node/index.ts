/**
 * `keyward/node`: encrypt to people by address from a server (README, "Encrypt to your users from a server").
 * Everything here takes and returns plain data (armored text, bytes, web streams, summaries); the crypto profile
 * is the extension's (shared/openpgp).
 */
export {
  createKeyward,
  type EncryptOptions,
  type EncryptResult,
  type Keyward,
  type KeywardOptions,
  type LookupReport,
  type RecipientKey,
} from './keyward-client';
export { memoryKeyring, type KeyringData, type KeyringStore, type KeySource } from './keyring-store';
export { fileKeyring } from './file-keyring';
export type { KeyChangeView, KeyringView, PinnedKeyView } from './keyring-view';
export { decrypt, type Decrypted, type DecryptOptions, type SignatureReport } from './decrypt';
export { inspect, type Inspection, type NamedKey } from './inspect';
export { readPrivateKey } from './read-private-key';
export { readGroupFile } from './read-group-file';
export { publishKey } from './publish-key';
export type { ByteInput } from './to-web-stream';
export {
  parseGroupFile,
  formatGroupFile,
  type Group,
  type GroupMember,
} from '../shared/recipients/group-file';
export { LOOKUP_SOURCES, type LookupSource } from '../shared/recipients/key-lookup';
export { generateKey, type GeneratedKey, type GenerateKeyOptions, type UnlockedKey } from '../shared/openpgp';
export { KeywardError, isKeywardError, type ErrorCode } from '../shared/errors';
