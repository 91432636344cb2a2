import type { Clock } from '../../shared/clock';
import { createContactsStore } from '../contacts/contacts-store';
import { createGroupsStore } from '../contacts/groups-store';
import { createSiteRecipients } from '../contacts/site-recipients';
import { createKeyLookup } from '../directory/key-lookup';
import type { StorageArea } from '../platform/storage';
import { createEscrowService } from '../recovery/escrow-service';
import { createHandoverService } from '../recovery/handover-service';
import { createLegacyService } from '../legacy/legacy-service';
import type { SettingsStore } from '../settings/settings-store';
import type { KeyWork } from '../vault/key-work';
import type { Vault } from '../vault/vault';

export interface PeoplePartsDeps {
  readonly vault: Vault;
  readonly keyWork: KeyWork;
  readonly settings: SettingsStore;
  readonly local: StorageArea;
  readonly session: StorageArea;
  readonly clock: Clock;
  /** How other people's keys are fetched (the keyserver, WKD, keys.openpgp.org). */
  readonly fetch: typeof fetch;
  readonly newId: () => string;
}

/**
 * The background's parts that deal with other people and other devices, wired once for the service worker and
 * for the handler tests: key lookup, contacts, groups, a site's recipients, escrow, device hand-over and digital legacy.
 */
export function createPeopleParts(deps: PeoplePartsDeps) {
  const { vault, keyWork, settings, local, session, clock } = deps;
  const keyserverUrl = async () => (await settings.get()).keyserverUrl;
  const lookup = createKeyLookup({
    fetch: deps.fetch,
    clock,
    keyserverUrl,
    order: async () => (await settings.get()).lookupOrder,
  });
  const contacts = createContactsStore({ local, lookup, clock });
  const groups = createGroupsStore({ local, newId: deps.newId });
  const siteRecipients = createSiteRecipients({
    contacts,
    groups,
    ownEmails: async () => (await vault.list()).flatMap((k) => k.emails),
  });
  const escrow = createEscrowService({ vault, keyWork, local, keyserverUrl });
  const handover = createHandoverService({ vault, session, keyserverUrl, now: () => clock.now().getTime() });
  const legacy = createLegacyService({ vault, contacts, keyserverUrl, fetch: deps.fetch, clock });
  return { lookup, contacts, groups, siteRecipients, escrow, handover, legacy };
}
