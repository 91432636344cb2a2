import { randomBytes } from 'node:crypto';
import {
  legacyError,
  type Proof,
  type ReleaseAnswer,
  type Statement,
  type TrustedGrantView,
} from '../../shared/legacy';
import type { LegacyGrant } from '../store/legacy-ports';
import { updateGrant } from '../store/update-grant';
import { recordEvents } from './events';
import { advance, openRequest } from './grant-state';
import { legacyRateRules, type LegacyDeps } from './legacy-deps';
import type { LegacyViews } from './legacy-views';
import type { LegacyWorker } from './legacy-worker';
import type { Proofs } from './proofs';

/**
 * The trusted person's use cases (docs/legacy.md): list the grants naming their key, ask for access, fetch the
 * payload once released. Every one is a statement signed with the pinned key over a fresh challenge; a grant that
 * does not name the signer's key is answered exactly like one that does not exist.
 */
export function createTrustedAccess(
  deps: LegacyDeps,
  parts: { proofs: Proofs; views: LegacyViews; worker: LegacyWorker },
) {
  const { proofs, views } = parts;
  const grants = deps.store.legacy.grants;
  const rules = legacyRateRules(deps.config);
  const newId = deps.newId ?? ((bytes: number) => randomBytes(bytes).toString('hex'));
  const now = () => deps.clock.now().getTime();
  const deliver = (id: string) => deps.background.run('legacy-notices', () => parts.worker.run(id));
  const noGrant = () => legacyError('no_grant', 'No grant with this id names your key.');

  async function asTrusted(
    id: string,
    statement: Omit<Statement, 'challenge'>,
    proof: Proof,
  ): Promise<LegacyGrant> {
    const grant = await grants.get(id);
    const signer = await proofs.signer(statement, proof, (f) =>
      grant && f === grant.terms.trustedFingerprint ? [grant.trustedKey] : [],
    );
    if (!grant || signer !== grant.terms.trustedFingerprint) throw noGrant();
    return grant;
  }

  const by = (client: { ip: string }) =>
    ({ actor: 'trusted', proof: 'signature', client: client.ip }) as const;

  return {
    async list(proof: Proof): Promise<TrustedGrantView[]> {
      const signer = await proofs.signer({ action: 'list-trusted' }, proof, async (f) =>
        (await grants.byTrusted(f)).map((g) => g.trustedKey),
      );
      return (await grants.byTrusted(signer)).map((g) => views.trusted(g));
    },

    async request(id: string, proof: Proof, client: { ip: string }): Promise<TrustedGrantView> {
      const grant = await asTrusted(id, { action: 'request', grantId: id }, proof);
      const outcome = openRequest(grant, now(), newId);
      if (outcome.kind === 'revoked') throw legacyError('grant_revoked', 'The owner withdrew this grant.');
      if (outcome.kind === 'cooling-down') {
        const seconds = Math.ceil((outcome.until - now()) / 1000);
        throw legacyError(
          'cooling_down',
          `The owner refused your last request; you can ask again after ${new Date(outcome.until).toISOString()}.`,
          { retryAfterSeconds: seconds },
        );
      }
      if (outcome.kind === 'unchanged') return views.trusted(grant);
      // Each new request mails the owner: counted per owner address, whoever asks.
      await deps.limiter.enforce(rules.accessOwner, grant.terms.ownerAddress);
      const result = await updateGrant(grants, id, (g) => {
        const again = openRequest(g, now(), newId);
        return again.kind === 'opened' ? again.step : null;
      });
      if (!result) throw noGrant();
      await recordEvents(deps.store, id, now(), result.events, by(client));
      if (result.events.length > 0) deps.log.info({ grant: id }, 'legacy access requested');
      if (result.grant.notices.length > 0) deliver(id);
      return views.trusted(result.grant);
    },

    /**
     * The payload, once a request for this version of the grant was released. A release that fell due is stored
     * here if no sweep has yet, so access starts at releaseAt exactly.
     */
    async fetch(id: string, proof: Proof, client: { ip: string }): Promise<ReleaseAnswer> {
      await asTrusted(id, { action: 'fetch', grantId: id }, proof);
      const result = await updateGrant(grants, id, (g) => advance(g, now(), newId));
      if (!result) throw noGrant();
      await recordEvents(deps.store, id, now(), result.events, { actor: 'keyserver' });
      if (result.grant.notices.length > 0) deliver(id);
      const g = result.grant;
      if (g.revokedAt !== null || g.payload === null)
        throw legacyError('grant_revoked', 'The owner withdrew this grant.');
      const r = g.request;
      if (r?.state !== 'released' || r.grantVersion !== g.terms.version) {
        throw legacyError('not_released', 'Nothing is released to you for this grant (yet).');
      }
      await recordEvents(deps.store, id, now(), [{ event: 'fetched', requestId: r.id }], by(client));
      return { terms: g.terms, termsSignature: g.termsSignature, ownerKey: g.ownerKey, payload: g.payload };
    },
  };
}

export type TrustedAccess = ReturnType<typeof createTrustedAccess>;
