import { randomBytes } from 'node:crypto';
import { invalidInput } from '../../shared/errors';
import type { Email, Fingerprint } from '../../shared/identity';
import {
  legacyError,
  payloadSha256,
  verifyGrantTerms,
  type GrantUpload,
  type OwnerGrantView,
  type Proof,
  type Statement,
} from '../../shared/legacy';
import { inspectMessage, summarizeKey } from '../../shared/openpgp';
import type { LegacyGrant } from '../store/legacy-ports';
import { updateGrant } from '../store/update-grant';
import { recordEvents } from './events';
import { change, refuse, revoke, type Step } from './grant-state';
import type { KeyCopies } from './key-copies';
import { LEGACY_POLICY, legacyRateRules, type LegacyDeps } from './legacy-deps';
import type { LegacyViews } from './legacy-views';
import type { LegacyWorker } from './legacy-worker';
import type { Proofs } from './proofs';

/** How an owner action arrives: a signed statement, or else the Authorization header of an escrow session. */
export interface OwnerAuth {
  proof?: Proof | undefined;
  authorization?: string | undefined;
  client: { ip: string };
}

type Checked = Pick<LegacyGrant, 'terms' | 'termsSignature' | 'ownerKey' | 'trustedKey' | 'payload'>;

/**
 * The owner's use cases (docs/legacy.md): create and change grants (a whole signed version each time), list them,
 * revoke them, refuse a request. Owner actions are proven by a signature of the grant's owner key or of the key
 * that stands for the owner's address here now, or by an escrow session for that address.
 */
export function createOwnerGrants(
  deps: LegacyDeps,
  parts: { proofs: Proofs; keys: KeyCopies; views: LegacyViews; worker: LegacyWorker },
) {
  const { proofs, keys, views } = parts;
  const grants = deps.store.legacy.grants;
  const rules = legacyRateRules(deps.config);
  const newId = deps.newId ?? ((bytes: number) => randomBytes(bytes).toString('hex'));
  const now = () => deps.clock.now().getTime();
  const deliver = (id: string) => deps.background.run('legacy-notices', () => parts.worker.run(id));
  const termsInvalid = (message: string) => legacyError('terms_invalid', message);

  /** Everything the keyserver can check of a version without reading it (docs/legacy.md, "The grant"). */
  async function check(upload: GrantUpload, allowedOwnerKeys: readonly Fingerprint[]): Promise<Checked> {
    const { terms } = upload;
    const t = now();
    if (Math.abs(terms.createdAt - t) > LEGACY_POLICY.termsSkewMs) {
      throw termsInvalid(
        'The grant is dated more than a day away from the keyserver’s clock: check the clock.',
      );
    }
    if (terms.ownerAddress === terms.trustedAddress)
      throw termsInvalid('The owner cannot be the trusted person.');
    if (!allowedOwnerKeys.includes(terms.ownerFingerprint)) {
      throw legacyError(
        'owner_key_unknown',
        `The owner key is not the key published here for ${terms.ownerAddress}, nor that of its key backup.`,
      );
    }
    const owner = await keys.readOne(upload.ownerKey, 'terms_invalid');
    const trusted = await keys.readOne(upload.trustedKey, 'terms_invalid');
    if (owner.fingerprint !== terms.ownerFingerprint)
      throw termsInvalid('The owner key is not the one in the terms.');
    if (trusted.fingerprint !== terms.trustedFingerprint) {
      throw termsInvalid('The trusted key is not the one in the terms.');
    }
    if (trusted.fingerprint === owner.fingerprint) throw termsInvalid('The trusted key is the owner key.');
    const trustedNow = await summarizeKey(await keys.merged(trusted, []), { date: new Date(t) });
    if (!trustedNow.emails.includes(terms.trustedAddress)) {
      throw termsInvalid(`The trusted key has no valid user id for ${terms.trustedAddress}.`);
    }
    if (!trustedNow.canSign || !trustedNow.canEncrypt) {
      throw termsInvalid(
        'The trusted key must be able to sign (to ask for access) and to receive encryption.',
      );
    }
    await verifyGrantTerms({
      terms,
      termsSignature: upload.termsSignature,
      ownerKey: await keys.merged(owner, []),
      now: new Date(t),
    });
    if (payloadSha256(upload.payload) !== terms.payloadSha256)
      throw termsInvalid('The payload is not the signed one.');
    const info = await inspectMessage(new TextEncoder().encode(upload.payload)).catch(() => null);
    const mine = new Set([trustedNow.keyId, ...trustedNow.subkeys.map((s) => s.keyId)]);
    if (
      !info ||
      info.passwordProtected ||
      info.hiddenRecipients > 0 ||
      info.recipients.length === 0 ||
      !info.recipients.every((r) => mine.has(r.keyId)) ||
      (info.encryption !== 'seipdv2' && info.encryption !== 'seipdv1')
    ) {
      throw termsInvalid('The payload must be an OpenPGP message encrypted to the trusted key alone.');
    }
    return {
      terms,
      termsSignature: upload.termsSignature,
      ownerKey: owner.armored,
      trustedKey: trusted.armored,
      payload: upload.payload,
    };
  }

  /** The grant `id` if this proof or session is its owner's; `no_grant` otherwise (unknown and foreign alike). */
  async function asOwner(
    id: string,
    statement: Omit<Statement, 'challenge'>,
    auth: OwnerAuth,
  ): Promise<{ grant: LegacyGrant; proof: 'signature' | 'session' }> {
    const grant = await grants.get(id);
    const noGrant = () => legacyError('no_grant', 'You have no grant with this id.');
    if (!auth.proof) {
      const address = await deps.sessionAddress(auth.authorization);
      if (!grant || grant.terms.ownerAddress !== address) throw noGrant();
      return { grant, proof: 'session' };
    }
    const signer = await proofs.signer(statement, auth.proof, (f) =>
      grant && f === grant.terms.ownerFingerprint ? [grant.ownerKey] : [],
    );
    if (!grant) throw noGrant();
    const owns =
      signer === grant.terms.ownerFingerprint ||
      (await proofs.currentOwnerKeys(grant.terms.ownerAddress)).includes(signer);
    if (!owns) throw noGrant();
    return { grant, proof: 'signature' };
  }

  async function applied(
    id: string,
    step: (g: LegacyGrant) => Step | null,
    by: { proof: 'signature' | 'session'; client: { ip: string } },
  ): Promise<OwnerGrantView> {
    const result = await updateGrant(grants, id, step);
    if (!result) throw legacyError('no_grant', 'You have no grant with this id.');
    await recordEvents(deps.store, id, now(), result.events, {
      actor: 'owner',
      proof: by.proof,
      client: by.client.ip,
    });
    for (const { event } of result.events) deps.log.info({ grant: id, event }, `legacy grant ${event}`);
    if (result.grant.notices.length > 0) deliver(id);
    return views.owner(result.grant);
  }

  return {
    async create(upload: GrantUpload, client: { ip: string }): Promise<OwnerGrantView> {
      const { terms } = upload;
      if (terms.version !== 1) throw legacyError('stale', 'A new grant starts at version 1.');
      const checked = await check(upload, await proofs.currentOwnerKeys(terms.ownerAddress));
      // Counted once the owner's signature checked out, so nobody else can use up an owner's uploads.
      await deps.limiter.enforce(rules.uploadOwner, terms.ownerAddress);
      const live = (await grants.byOwner(terms.ownerAddress)).filter((g) => g.revokedAt === null);
      if (live.length >= LEGACY_POLICY.maxLiveGrants) {
        throw legacyError(
          'too_many_grants',
          `At most ${LEGACY_POLICY.maxLiveGrants} grants; revoke one first.`,
        );
      }
      const t = now();
      const grant: LegacyGrant = {
        id: terms.grantId,
        revision: 0,
        ...checked,
        createdAt: t,
        updatedAt: t,
        revokedAt: null,
        request: null,
        notices: [],
        dueAt: null,
      };
      if (!(await grants.put(grant)))
        throw legacyError('grant_exists', 'A grant with this id exists already.');
      await recordEvents(deps.store, grant.id, t, [{ event: 'created', requestId: null }], {
        actor: 'owner',
        proof: 'signature',
        client: client.ip,
      });
      deps.log.info({ grant: grant.id, owner: terms.ownerFingerprint }, 'legacy grant created');
      return views.owner({ ...grant, revision: 1 });
    },

    /** A new version, signed by the grant's owner key or the owner's current key here (a re-issue after a rotation). */
    async change(id: string, upload: GrantUpload, client: { ip: string }): Promise<OwnerGrantView> {
      const { terms } = upload;
      if (terms.grantId !== id) throw invalidInput('The terms name another grant than the path.');
      const current = await grants.get(id);
      const allowed = current
        ? [current.terms.ownerFingerprint, ...(await proofs.currentOwnerKeys(current.terms.ownerAddress))]
        : [];
      if (
        !current ||
        current.terms.ownerAddress !== terms.ownerAddress ||
        !allowed.includes(terms.ownerFingerprint)
      ) {
        throw legacyError('no_grant', 'You have no grant with this id.');
      }
      const versionCheck = (g: LegacyGrant) => {
        if (g.revokedAt !== null)
          throw legacyError('grant_revoked', 'This grant was revoked; make a new one.');
        if (terms.version !== g.terms.version + 1) {
          throw legacyError(
            'stale',
            `The grant is at version ${g.terms.version}; read it again and change that.`,
          );
        }
      };
      versionCheck(current);
      const checked = await check(upload, allowed);
      await deps.limiter.enforce(rules.uploadOwner, terms.ownerAddress);
      return applied(
        id,
        (g) => {
          versionCheck(g);
          return change(g, checked, now(), newId);
        },
        { proof: 'signature', client },
      );
    },

    async revoke(id: string, auth: OwnerAuth): Promise<OwnerGrantView> {
      const { proof } = await asOwner(id, { action: 'revoke', grantId: id }, auth);
      return applied(id, (g) => revoke(g, now(), newId), { proof, client: auth.client });
    },

    async refuse(id: string, requestId: string, auth: OwnerAuth): Promise<OwnerGrantView> {
      const { proof } = await asOwner(id, { action: 'refuse', grantId: id, requestId }, auth);
      return applied(
        id,
        (g) => {
          const step = refuse(g, requestId, now(), newId);
          if (!step)
            throw legacyError(
              'no_request',
              'No request with this id is waiting (refused, ended or released).',
            );
          return step;
        },
        { proof, client: auth.client },
      );
    },

    /** Every grant of an owner address: with a signature by one of its owner keys, or its escrow session. */
    async list(ownerAddress: Email | undefined, auth: OwnerAuth): Promise<OwnerGrantView[]> {
      let address: Email;
      if (!auth.proof) {
        address = await deps.sessionAddress(auth.authorization);
        if (ownerAddress !== undefined && ownerAddress !== address) {
          throw legacyError('not_owner', 'The session is for another address.');
        }
      } else {
        if (ownerAddress === undefined) throw invalidInput('Name the owner address whose grants to list.');
        address = ownerAddress;
        const theirs = await grants.byOwner(address);
        const signer = await proofs.signer({ action: 'list-owned', ownerAddress: address }, auth.proof, (f) =>
          theirs.filter((g) => g.terms.ownerFingerprint === f).map((g) => g.ownerKey),
        );
        const owners = new Set([
          ...(await proofs.currentOwnerKeys(address)),
          ...theirs.map((g) => g.terms.ownerFingerprint),
        ]);
        if (!owners.has(signer))
          throw legacyError('not_owner', `This key is not an owner key of ${address}.`);
      }
      return Promise.all((await grants.byOwner(address)).map((g) => views.owner(g)));
    },
  };
}

export type OwnerGrants = ReturnType<typeof createOwnerGrants>;
