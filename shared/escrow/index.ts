/** Client side of the key escrow (docs/escrow.md): profiles, derived secrets, recovery codes, the escrow message. */
export {
  checkProfile,
  DEFAULT_ESCROW_PROFILE,
  ESCROW_PROFILES,
  stretchingOf,
  type EscrowProfile,
} from './profiles';
export { passphraseSecret, recoveryVerifier } from './secrets';
export { newRecoveryPhrase, normalizeRecoveryPhrase, RECOVERY_WORDS } from './recovery-code';
export { makeEscrow, openEscrow, replacePassphrasePacket } from './escrow-message';
export { createEscrowClient, type EscrowClient } from './escrow-client';
export * from './escrow-api';
export {
  exportHandoverKey,
  handoverChannel,
  importHandoverKey,
  newHandoverKeyPair,
  newHandoverWords,
  normalizeHandoverWords,
  openHandover,
  sealHandover,
  HANDOVER_WORDS,
} from './handover';
