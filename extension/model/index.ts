/**
 * The extension's domain types: what the vault, contacts, groups, sites, settings, publishing and escrow hold and
 * show. Plain data with value types (Fingerprint, Email) from shared/identity; the runtime protocol carries them,
 * but they belong to no wire.
 */
export type { Contact, ContactSource, ContactsView, KeyChange } from './contact';
export type { EscrowState } from './escrow-state';
export type { Group } from './group';
export type {
  LegacyGrantState,
  LegacyKeyRef,
  LegacyRequestInfo,
  OwnerGrantItem,
  OwnerGrantsView,
  TrustedGrantItem,
  TrustedGrantsView,
} from './legacy';
export type { AddressState, Publication } from './publication';
export type { Settings } from './settings';
export { OUTPUT_NAMES, type OutputName, type SiteOptions, type SiteRecipients, type SiteState } from './site';
export type { ImportCandidate, VaultKey } from './vault-key';
export type { StatusResponse } from './vault-status';
