import type { Handlers } from '../messaging/dispatcher';
import type { Publisher } from '../publishing/publisher';
import type { SettingsStore } from '../settings/settings-store';
import type { SitesStore } from '../sites/sites-store';
import type { Vault } from '../vault/vault';

export interface HandlerDeps {
  readonly vault: Vault;
  readonly settings: SettingsStore;
  readonly publisher: Publisher;
  readonly sites: SitesStore;
  readonly version: string;
  /** Starts a download of a text file (extension/platform/downloads.ts). */
  readonly saveTextFile: (filename: string, text: string, mimeType: string) => Promise<void>;
}

/** Every message of the protocol mapped onto the background's parts; the dispatcher has already checked it. */
export function backgroundHandlers(deps: HandlerDeps): Handlers {
  const { vault, settings, publisher, sites, version, saveTextFile } = deps;
  const siteState = async (origin: string) => ({
    origin,
    enabled: await sites.isEnabled(origin),
    ...(await sites.options(origin)),
    recipients: (await vault.status()).defaultKey?.userIds.slice(0, 1) ?? [],
  });
  return {
    'sites.get': (r) => siteState(r.origin),
    'sites.setEnabled': async (r) => {
      await sites.setEnabled(r.origin, r.enabled);
      return siteState(r.origin);
    },
    'sites.update': async ({ origin, ...change }) => {
      await sites.update(origin, {
        ...(change.strict === undefined ? {} : { strict: change.strict }),
        ...(change.outputName === undefined ? {} : { outputName: change.outputName }),
      });
      return siteState(origin);
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
    'vault.changePassphrase': async (r) => ({
      key: await vault.changePassphrase(r.fingerprint, r.oldPassphrase, r.newPassphrase),
    }),
    'vault.setDefault': async (r) => {
      await vault.setDefault(r.fingerprint);
      return {};
    },
    'vault.delete': async (r) => {
      await vault.delete(r.fingerprint);
      await publisher.forget(r.fingerprint);
      return {};
    },
    'vault.export': async (r) => {
      const { filename, text } = await vault.exportKey(r.fingerprint, r);
      await saveTextFile(filename, text, 'application/pgp-keys');
      return { filename };
    },
    'settings.get': () => settings.get(),
    'settings.update': (r) => settings.update(r),
    'publish.key': (r) => publisher.publish(r.fingerprint),
    'publish.status': (r) => publisher.refresh(r.fingerprint),
    'publish.last': async (r) => ({ publication: await publisher.last(r.fingerprint) }),
  };
}
