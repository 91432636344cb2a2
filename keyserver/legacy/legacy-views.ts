import type { OwnerGrantView, RequestView, TrustedGrantView } from '../../shared/legacy';
import type { AccessRequest, LegacyGrant } from '../store/legacy-ports';
import { settledView } from './grant-state';
import type { KeyCopies } from './key-copies';
import { LEGACY_POLICY, type LegacyDeps } from './legacy-deps';
import type { Proofs } from './proofs';

/** What the owner and the trusted person are shown of a grant (shared/legacy/legacy-api.ts). */
export function createLegacyViews(
  deps: Pick<LegacyDeps, 'store' | 'clock'>,
  proofs: Proofs,
  keys: KeyCopies,
) {
  const now = () => deps.clock.now().getTime();

  function requestView(request: AccessRequest | null): RequestView | null {
    if (!request) return null;
    const { remindedAt: _reminded, ...view } = request;
    return view;
  }

  return {
    async owner(grant: LegacyGrant): Promise<OwnerGrantView> {
      const { terms } = grant;
      const [ownerKeys, trustedBinding, trustedUsable, history] = await Promise.all([
        proofs.currentOwnerKeys(terms.ownerAddress),
        deps.store.bindings.byEmail(terms.trustedAddress),
        keys.isUsable(grant.trustedKey),
        deps.store.legacy.audit.list(grant.id, LEGACY_POLICY.historyLength),
      ]);
      return {
        terms,
        updatedAt: grant.updatedAt,
        revokedAt: grant.revokedAt,
        ownerKeyCurrent: ownerKeys.includes(terms.ownerFingerprint),
        trustedKeyCurrent:
          trustedUsable && (!trustedBinding || trustedBinding.fingerprint === terms.trustedFingerprint),
        request: requestView(settledView(grant, now())),
        history: history.map(({ grantId: _grant, ...entry }) => entry),
      };
    },

    trusted(grant: LegacyGrant): TrustedGrantView {
      const request = settledView(grant, now());
      const cooldownEnd =
        request?.state === 'refused' && request.endedAt !== null
          ? request.endedAt + LEGACY_POLICY.refusalCooldownMs
          : null;
      return {
        terms: grant.terms,
        termsSignature: grant.termsSignature,
        ownerKey: grant.ownerKey,
        revokedAt: grant.revokedAt,
        request: requestView(request),
        nextRequestAt: cooldownEnd !== null && cooldownEnd > now() ? cooldownEnd : null,
      };
    },
  };
}

export type LegacyViews = ReturnType<typeof createLegacyViews>;
