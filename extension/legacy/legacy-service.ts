import type { Clock } from '../../shared/clock';
import { invalidInput, isKeywardError, KeywardError } from '../../shared/errors';
import { Email } from '../../shared/identity';
import {
  createLegacyClient,
  type LegacyClient,
  type OwnerGrantView,
  type RequestView,
  type TrustedGrantView,
} from '../../shared/legacy';
import type { ContactsStore } from '../contacts/contacts-store';
import type {
  LegacyGrantState,
  LegacyKeyRef,
  LegacyRequestInfo,
  OwnerGrantItem,
  OwnerGrantsView,
  TrustedGrantItem,
  TrustedGrantsView,
} from '../model';
import type { VaultKey } from '../model';
import type { Vault } from '../vault/vault';

export interface LegacyServiceDeps {
  readonly vault: Vault;
  /** The trusted person's key is looked up and pinned like any contact's (contacts-store.ts). */
  readonly contacts: ContactsStore;
  readonly keyserverUrl: () => Promise<string>;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
}

const HISTORY_SHOWN = 10;

/**
 * Digital legacy in the background (docs/legacy.md), over shared/legacy's client: the owner names a trusted person
 * (their key pinned like any contact's), changes the waiting period, revokes and refuses; the trusted person sees
 * the grants naming their keys, asks for access and, once released, imports the owner's key into the vault. Keys
 * come unlocked from the vault and never leave the background: pages get the views of legacy-protocol.ts. A
 * locked key answers `forbidden` with the reason `key_locked` (the vault's), so the page can ask to unlock it.
 */
export function createLegacyService(deps: LegacyServiceDeps) {
  const { vault, contacts } = deps;

  async function client(): Promise<{ api: LegacyClient; keyserverUrl: string }> {
    const keyserverUrl = await deps.keyserverUrl();
    const api = createLegacyClient({
      fetch: (input, init) => deps.fetch(input, init),
      baseUrl: keyserverUrl,
      now: () => deps.clock.now(),
    });
    return { api, keyserverUrl };
  }

  /** The user's keys that may name a trusted person: an address, not revoked or expired. */
  const ownerKeys = async () =>
    (await vault.list()).filter((k) => k.emails.length > 0 && !k.revoked && !k.expired);

  async function ownKey(fingerprint: string): Promise<VaultKey> {
    const key = (await vault.list()).find((k) => k.fingerprint === fingerprint);
    if (!key) throw new KeywardError('not_found', 'That key is not in Keyward any more.');
    return key;
  }

  /** Every grant the owner made with one unlocked key, address by address (listing is signed with the key). */
  async function listOwned(api: LegacyClient, key: VaultKey): Promise<OwnerGrantView[]> {
    const { key: unlocked } = await vault.use(key.fingerprint);
    const grants: OwnerGrantView[] = [];
    for (const address of key.emails) {
      try {
        grants.push(...(await api.listOwnGrants({ ownerAddress: address, credential: { key: unlocked } })));
      } catch (error) {
        // Not published here and no grants: nothing to list for this address.
        if (reasonOf(error) === 'not_owner' || reasonOf(error) === 'owner_key_unknown') continue;
        throw error;
      }
    }
    return grants;
  }

  async function ownerGrant(fingerprint: string, grantId: string) {
    const key = await ownKey(fingerprint);
    const { api, keyserverUrl } = await client();
    const grant = (await explained(listOwned(api, key), keyserverUrl)).find(
      (g) => g.terms.grantId === grantId,
    );
    if (!grant) throw new KeywardError('not_found', 'This grant is not on the keyserver any more.');
    return { key, grant, api, keyserverUrl };
  }

  /** The key pinned for the trusted person's address (looked up and pinned on first use, like any recipient). */
  async function trustedKeyFor(address: Email) {
    await contacts.lookup(address);
    const [pinned] = await contacts.recipientKeys([address], { fresh: false });
    if (!pinned) throw new KeywardError('not_found', `No usable key for ${address} was found.`);
    return pinned;
  }

  async function trustedItems(grants: readonly TrustedGrantView[]): Promise<TrustedGrantItem[]> {
    const { contacts: known } = await contacts.list();
    const inVault = new Set((await vault.list()).map((k) => k.fingerprint));
    return grants.map((g) => {
      const pinned = known.find((c) => c.pinnedFor.includes(g.terms.ownerAddress));
      return {
        ...termsFacts(g),
        state: stateOf(g.revokedAt, g.request, g.terms.version),
        request: requestInfo(g.request),
        nextRequestAt: g.nextRequestAt,
        ownerPin: !pinned ? 'none' : pinned.fingerprint === g.terms.ownerFingerprint ? 'same' : 'different',
        imported: inVault.has(g.terms.ownerFingerprint),
      };
    });
  }

  async function trustedGrant(grantId: string, trustedFingerprint: string) {
    const { key } = await vault.use(trustedFingerprint);
    const { api, keyserverUrl } = await client();
    const grant = await explained(api.grantStatus({ grantId, trustedKey: key }), keyserverUrl);
    return { key, grant, api, keyserverUrl };
  }

  return {
    async ownerGrants(): Promise<OwnerGrantsView> {
      const { api, keyserverUrl } = await client();
      const owners = await ownerKeys();
      const locked: LegacyKeyRef[] = [];
      const seen = new Map<string, OwnerGrantItem>();
      for (const key of owners) {
        if (!key.unlocked) {
          locked.push(refOf(key));
          continue;
        }
        for (const grant of await explained(listOwned(api, key), keyserverUrl)) {
          seen.set(grant.terms.grantId, ownerItem(grant));
        }
      }
      return {
        keyserverUrl,
        grants: [...seen.values()].sort((a, b) => b.createdAt - a.createdAt),
        locked,
        owners: owners.map((k) => ({ ...refOf(k), address: k.emails[0]! })),
      };
    },

    async create(request: { fingerprint: string; trustedAddress: string; waitingDays: number }) {
      const key = await ownKey(request.fingerprint);
      const ownerAddress = key.emails[0];
      if (!ownerAddress) throw invalidInput('This key has no address to make a grant from.');
      const trustedAddress = Email.parse(request.trustedAddress);
      if ((await vault.list()).some((k) => k.emails.includes(trustedAddress))) {
        throw invalidInput('That is one of your own addresses: name someone else.');
      }
      const { key: ownerKey } = await vault.use(key.fingerprint);
      const trusted = await trustedKeyFor(trustedAddress);
      const { api, keyserverUrl } = await client();
      const grant = await explained(
        api.createGrant({
          ownerKey,
          ownerAddress,
          trustedAddress,
          trustedKey: trusted.armored,
          waitingDays: request.waitingDays,
        }),
        keyserverUrl,
        ownerAddress,
      );
      return { grant: ownerItem(grant) };
    },

    async change(request: { grantId: string; ownerFingerprint: string; waitingDays: number }) {
      const { key, grant, api, keyserverUrl } = await ownerGrant(request.ownerFingerprint, request.grantId);
      if (grant.revokedAt !== null) throw invalidInput('This grant was revoked; make a new one instead.');
      const { key: ownerKey } = await vault.use(key.fingerprint);
      // The key pinned now: a trusted person whose new key the user accepted gets a grant for it.
      const trusted = await trustedKeyFor(grant.terms.trustedAddress);
      const changed = await explained(
        api.changeGrant({
          grantId: grant.terms.grantId,
          currentVersion: grant.terms.version,
          ownerKey,
          ownerAddress: grant.terms.ownerAddress,
          trustedAddress: grant.terms.trustedAddress,
          trustedKey: trusted.armored,
          waitingDays: request.waitingDays,
        }),
        keyserverUrl,
        grant.terms.ownerAddress,
      );
      return { grant: ownerItem(changed) };
    },

    async revoke(request: { grantId: string; ownerFingerprint: string }) {
      const { key: ownerKey } = await vault.use(request.ownerFingerprint);
      const { api, keyserverUrl } = await client();
      const revoked = await explained(
        api.revokeGrant({ grantId: request.grantId, credential: { key: ownerKey } }),
        keyserverUrl,
      );
      return { grant: ownerItem(revoked) };
    },

    async refuse(request: { grantId: string; requestId: string; ownerFingerprint: string }) {
      const { key: ownerKey } = await vault.use(request.ownerFingerprint);
      const { api, keyserverUrl } = await client();
      const refused = await explained(
        api.refuseRequest({
          grantId: request.grantId,
          requestId: request.requestId,
          credential: { key: ownerKey },
        }),
        keyserverUrl,
      );
      return { grant: ownerItem(refused) };
    },

    async trustedGrants(): Promise<TrustedGrantsView> {
      const { api, keyserverUrl } = await client();
      const locked: LegacyKeyRef[] = [];
      const found = new Map<string, TrustedGrantView>();
      let rejected = 0;
      for (const key of await vault.list()) {
        if (key.revoked || key.expired) continue;
        if (!key.unlocked) {
          locked.push(refOf(key));
          continue;
        }
        const { key: unlocked } = await vault.use(key.fingerprint);
        const listed = await explained(api.listGrantsForMe({ trustedKey: unlocked }), keyserverUrl);
        rejected += listed.rejected;
        for (const grant of listed.grants) found.set(grant.terms.grantId, grant);
      }
      return { keyserverUrl, grants: await trustedItems([...found.values()]), locked, rejected };
    },

    async requestAccess(request: { grantId: string; trustedFingerprint: string }) {
      const { key: trustedKey } = await vault.use(request.trustedFingerprint);
      const { api, keyserverUrl } = await client();
      const asked = await explained(
        api.requestAccess({ grantId: request.grantId, trustedKey }),
        keyserverUrl,
      );
      const [item] = await trustedItems([asked]);
      return { grant: item! };
    },

    /**
     * Fetches a released grant, opens it with the trusted key (open-release.ts checks every signature, and the
     * owner's key against the one pinned for the owner's address when there is one) and imports the owner's key.
     */
    async importReleased(request: { grantId: string; trustedFingerprint: string; newPassphrase: string }) {
      const { key, grant, api, keyserverUrl } = await trustedGrant(
        request.grantId,
        request.trustedFingerprint,
      );
      const [item] = await trustedItems([grant]);
      const pinned = (await contacts.list()).contacts.find((c) =>
        c.pinnedFor.includes(grant.terms.ownerAddress),
      );
      if (item?.state !== 'released') {
        throw new KeywardError('forbidden', notReleasedText(item));
      }
      const released = await explained(
        api.fetchReleasedKey({
          grantId: request.grantId,
          trustedKey: key,
          ...(pinned ? { expectedOwnerFingerprint: pinned.fingerprint } : {}),
        }),
        keyserverUrl,
      );
      const [imported] = await vault.import(released.ownerKey, undefined, request.newPassphrase);
      if (!imported) throw new KeywardError('unavailable', 'The released grant held no key.');
      return { fingerprint: imported.fingerprint, label: refOf(imported).label };
    },
  };
}

export type LegacyService = ReturnType<typeof createLegacyService>;

function refOf(key: Pick<VaultKey, 'fingerprint' | 'userIds'>): LegacyKeyRef {
  return { fingerprint: key.fingerprint, label: key.userIds[0] ?? key.fingerprint };
}

function termsFacts(g: { terms: OwnerGrantView['terms'] }) {
  const t = g.terms;
  return {
    grantId: t.grantId,
    version: t.version,
    ownerAddress: t.ownerAddress,
    ownerFingerprint: t.ownerFingerprint,
    trustedAddress: t.trustedAddress,
    trustedFingerprint: t.trustedFingerprint,
    waitingDays: t.waitingDays,
  };
}

function ownerItem(g: OwnerGrantView): OwnerGrantItem {
  return {
    ...termsFacts(g),
    createdAt: g.history.findLast((h) => h.event === 'created')?.at ?? g.terms.createdAt,
    updatedAt: g.updatedAt,
    state: stateOf(g.revokedAt, g.request, g.terms.version),
    request: requestInfo(g.request),
    ownerKeyCurrent: g.ownerKeyCurrent,
    trustedKeyCurrent: g.trustedKeyCurrent,
    history: g.history.slice(0, HISTORY_SHOWN).map(({ at, event, actor }) => ({ at, event, actor })),
  };
}

/** A cancelled request is as if none had been made; a release of an earlier version opens nothing now. */
function requestInfo(r: RequestView | null): LegacyRequestInfo | null {
  if (!r || r.state === 'cancelled') return null;
  return { id: r.id, requestedAt: r.requestedAt, releaseAt: r.releaseAt, endedAt: r.endedAt };
}

function stateOf(revokedAt: number | null, r: RequestView | null, version: number): LegacyGrantState {
  if (revokedAt !== null) return 'revoked';
  switch (r?.state) {
    case 'pending':
      return 'requested';
    case 'released':
      return r.grantVersion === version ? 'released' : 'waiting';
    case 'refused':
      return 'refused';
    default:
      return 'waiting';
  }
}

function notReleasedText(item: TrustedGrantItem | undefined): string {
  switch (item?.state) {
    case 'requested':
      return 'Access is not released yet: the waiting period is still running.';
    case 'refused':
      return 'The owner refused your request, so nothing was released.';
    case 'revoked':
      return 'The owner withdrew this grant, so nothing can be released.';
    default:
      return 'Access is not released: ask for access first.';
  }
}

function reasonOf(error: unknown): string | undefined {
  return isKeywardError(error) ? String(error.details.reason ?? '') || undefined : undefined;
}

/** The keyserver's refusals, said in terms of what the user sees in the options page. */
async function explained<T>(work: Promise<T>, keyserverUrl: string, ownerAddress?: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!isKeywardError(error)) throw error;
    const say = (message: string) => new KeywardError(error.code, message, error.details);
    switch (reasonOf(error)) {
      case 'owner_key_unknown':
        throw say(
          `${keyserverUrl} does not publish this key for ${ownerAddress ?? 'your address'}. Publish it (under ` +
            'Your keys) and confirm the mail the keyserver sends, then try again.',
        );
      case 'no_request':
        throw say(
          'That request is no longer pending: it was released, refused or cancelled in the meantime.',
        );
      case 'not_released':
        throw say('Access is not released yet: the waiting period is still running, or the owner refused.');
      case 'grant_revoked':
        throw say('The owner withdrew this grant.');
      case 'stale':
        throw say(
          'This grant was changed elsewhere (another device) in the meantime. Look at it again and retry.',
        );
      case 'no_grant':
        throw say('This grant is not on the keyserver any more, or no longer names your key.');
      case 'cooling_down': {
        const days = Math.ceil(Number(error.details.retryAfterSeconds ?? 0) / 86_400);
        throw say(
          `The owner refused your last request. You can ask again ${days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : 'later'}.`,
        );
      }
      default:
        throw error;
    }
  }
}
