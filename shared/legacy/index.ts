/** Digital legacy (docs/legacy.md): the grant's texts, the payload, the API contract and its client. */
export {
  DAY_MS,
  GRANT_KINDS,
  LEGACY_FORMAT,
  WAITING_DAYS,
  grantTermsText,
  payloadSha256,
  type GrantKind,
  type GrantTerms,
} from './grant-terms';
export { STATEMENT_ACTIONS, statementText, type Statement, type StatementAction } from './statement';
export * from './legacy-api';
export { openLegacyPayload, sealLegacyPayload } from './legacy-payload';
export { makeGrantUpload, type GrantChoice } from './make-grant-upload';
export { verifyGrantTerms } from './verify-grant-terms';
export { openRelease, type ReleasedKey } from './open-release';
export {
  createLegacyClient,
  type LegacyClient,
  type LegacyClientDeps,
  type OwnerCredential,
  type TrustedGrantList,
} from './legacy-client';
