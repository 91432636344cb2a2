import { KeywardError } from '../../shared/errors';
import { Email } from '../../shared/identity';
import type { KeyserverCheck } from '../directory/keyserver-check';
import type { ContactsStore } from '../contacts/contacts-store';
import type { GroupsStore } from '../contacts/groups-store';
import type { SiteRecipientsResolver } from '../contacts/site-recipients';
import type { Handlers } from '../messaging/dispatcher';
import type { EscrowService } from '../recovery/escrow-service';
import type { HandoverService } from '../recovery/handover-service';
import type { LegacyService } from '../legacy/legacy-service';
import { legacyHandlers } from './legacy-handlers';
import type { SiteState } from '../model';
import { youLabel } from '../upload/upload-service';
import type { Publisher } from '../publishing/publisher';
import type { SettingsStore } from '../settings/settings-store';
import type { SitesStore } from '../sites/sites-store';
import type { Vault } from '../vault/vault';

export interface HandlerDeps {
  readonly vault: Vault;
  readonly settings: SettingsStore;
  readonly publisher: Publisher;
  readonly sites: SitesStore;
  readonly contacts: ContactsStore;
  readonly groups: GroupsStore;
  readonly siteRecipients: SiteRecipientsResolver;
  readonly escrow: EscrowService;
  readonly handover: HandoverService;
  readonly legacy: LegacyService;
  readonly version: string;
  /** Asks a keyserver whether it runs (extension/directory/keyserver-check.ts). */
  readonly checkKeyserver: (url: string) => Promise<KeyserverCheck>;
  /** Starts a download of a text file (extension/platform/downloads.ts). */
  readonly saveTextFile: (filename: string, text: string, mimeType: string) => Promise<void>;
}

/** Every message of the protocol mapped onto the background's parts; the dispatcher has already checked it. */
export function backgroundHandlers(deps: HandlerDeps): Handlers {
  const {
    vault,
    settings,
    publisher,
    sites,
    contacts,
    groups,
    siteRecipients,
    escrow,
    handover,
    version,
    saveTextFile,
  } = deps;
  const siteState = async (origin: string): Promise<SiteState> => {
    const options = await sites.options(origin);
    const defaultKey = (await vault.status()).defaultKey;
    const others = await siteRecipients.describe(options.recipients);
    return {
      origin,
      enabled: await sites.isEnabled(origin),
      ...options,
      encryptedFor: defaultKey ? [youLabel(defaultKey), ...others.encryptedFor] : [],
      recipientProblems: others.problems,
    };
  };
  /** Address -> pinned fingerprint (or the user's own key's), for group files. */
  const pinnedFingerprints = async () => {
    const view = await contacts.list();
    const pins = new Map<string, string>(view.awaiting.map((a) => [a.email, a.fingerprint]));
    for (const c of view.contacts) for (const email of c.pinnedFor) pins.set(email, c.fingerprint);
    // The user's own keys too: a team lead's file carries the lead's fingerprint for the team to pin.
    for (const k of await vault.list())
      for (const email of k.emails) if (!pins.has(email)) pins.set(email, k.fingerprint);
    return pins;
  };
  return {
    'sites.get': (r) => siteState(r.origin),
    'sites.setEnabled': async (r) => {
      // Uploads are encrypted to the user's own key: with none yet there is nothing to encrypt to.
      if (r.enabled && (await vault.list()).length === 0) {
        throw new KeywardError(
          'invalid_input',
          'Set up your key first: Keyward encrypts uploads to it. Open Keyward’s settings to create or add one.',
          { reason: 'no_key' },
        );
      }
      await sites.setEnabled(r.origin, r.enabled);
      return siteState(r.origin);
    },
    'sites.update': async ({ origin, ...change }) => {
      await sites.update(origin, {
        ...(change.strict === undefined ? {} : { strict: change.strict }),
        ...(change.outputName === undefined ? {} : { outputName: change.outputName }),
        ...(change.forGnuPG === undefined ? {} : { forGnuPG: change.forGnuPG }),
        ...(change.recipients === undefined
          ? {}
          : {
              recipients: {
                groups: await Promise.all(
                  change.recipients.groups.map(async (id) => (await groups.get(id)).id),
                ),
                people: [...new Set(change.recipients.people.map((p) => Email.parse(p)))],
              },
            }),
      });
      return siteState(origin);
    },
    'contacts.list': () => contacts.list(),
    'contacts.import': (r) => contacts.import(r.data, r.source),
    'contacts.lookup': (r) => contacts.lookup(r.email),
    'contacts.refresh': (r) => contacts.refresh(r.fingerprint),
    'contacts.decide': (r) => contacts.decide(r.email, r.accept),
    'contacts.verify': (r) => contacts.setVerified(r.fingerprint, r.verified),
    'contacts.remove': (r) => contacts.remove(r.fingerprint),
    'groups.list': async () => ({ groups: await groups.list() }),
    'groups.save': async (r) => {
      const group = await groups.save(r);
      // Each member's key now, not at the first upload: a member without a usable key is said at once.
      const problems: string[] = [];
      const own = new Set((await vault.list()).flatMap((k) => k.emails));
      for (const member of group.members) {
        if (own.has(member.email)) continue;
        await contacts
          .recipientKeys([Email.parse(member.email)], { fresh: true })
          .catch((error: unknown) => problems.push(error instanceof Error ? error.message : String(error)));
      }
      return { ...group, problems };
    },
    'groups.remove': async (r) => {
      await groups.remove(r.id);
      return {};
    },
    'groups.export': async (r) => {
      const pins = await pinnedFingerprints();
      const { filename, text } = await groups.exportFile(r.id, (email) => pins.get(email));
      await saveTextFile(filename, text, 'application/json');
      return { filename };
    },
    'groups.import': async (r) => {
      const group = await groups.importFile(r.text);
      // The user's own addresses are not contacts: a group file listing the user is not a pin for their key.
      const own = new Set((await vault.list()).flatMap((k) => k.emails));
      await contacts.pinExpected(
        group.members.flatMap((m) =>
          m.fingerprint && !own.has(m.email) ? [{ email: m.email, fingerprint: m.fingerprint }] : [],
        ),
      );
      return group;
    },
    'status.get': async () => ({ version, ...(await vault.status()) }),
    'vault.list': async () => ({ keys: await vault.list() }),
    'vault.create': async (r) => ({ key: await vault.create(r) }),
    'vault.inspectImport': async (r) => ({ keys: await vault.inspectImport(r.data) }),
    'vault.import': async (r) => ({ keys: await vault.import(r.data, r.passphrase, r.newPassphrase) }),
    'vault.unlock': async (r) => ({ key: await vault.unlock(r.fingerprint, r.passphrase) }),
    'vault.lock': async (r) => {
      await vault.lock(r.fingerprint);
      return {};
    },
    'vault.changePassphrase': async (r) => {
      // An escrowed key's escrow follows first: if the keyserver is down, nothing changes anywhere.
      await vault.unlock(r.fingerprint, r.oldPassphrase); // the old passphrase is checked here first
      const escrowed = await escrow.changePassphrase(r.fingerprint, r.oldPassphrase, r.newPassphrase);
      const key = await vault.changePassphrase(r.fingerprint, r.oldPassphrase, r.newPassphrase);
      return { key, escrow: escrowed };
    },
    'escrow.state': (r) => escrow.state(r.fingerprint),
    'escrow.requestCode': async (r) => {
      await escrow.requestCode(r.email, r.purpose);
      return {};
    },
    'escrow.create': (r) => escrow.create(r.fingerprint, r.passphrase, r.code),
    'escrow.remove': async (r) => {
      await escrow.remove(r.fingerprint, r.passphrase);
      return {};
    },
    'escrow.restore': async (r) => ({ key: await escrow.restore(r.email, r.passphrase, r.code) }),
    'escrow.recover': (r) => escrow.recover(r.email, r.recoveryPhrase, r.code, r.newPassphrase),
    'handover.start': () => handover.start(),
    'handover.check': () => handover.check(),
    'handover.finish': async (r) => ({ key: await handover.finish(r.passphrase) }),
    'handover.send': async (r) => {
      await handover.send(r.fingerprint, r.words);
      return {};
    },
    'vault.setDefault': async (r) => {
      await vault.setDefault(r.fingerprint);
      return {};
    },
    'vault.delete': async (r) => {
      await vault.delete(r.fingerprint);
      await publisher.forget(r.fingerprint);
      await escrow.forget(r.fingerprint);
      return {};
    },
    'vault.export': async (r) => {
      const { filename, text } = await vault.exportKey(r.fingerprint, r);
      await saveTextFile(filename, text, 'application/pgp-keys');
      return { filename };
    },
    'settings.get': () => settings.get(),
    'keyserver.check': (r) => deps.checkKeyserver(r.url),
    'settings.update': (r) => settings.update(r),
    'publish.key': (r) => publisher.publish(r.fingerprint),
    'publish.status': (r) => publisher.refresh(r.fingerprint),
    'publish.last': async (r) => ({ publication: await publisher.last(r.fingerprint) }),
    ...legacyHandlers(deps.legacy),
  };
}
