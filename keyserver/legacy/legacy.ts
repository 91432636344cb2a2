import { createChallenges, type Challenges } from './challenges';
import { createKeyCopies } from './key-copies';
import type { LegacyDeps } from './legacy-deps';
import { createLegacyViews } from './legacy-views';
import { createLegacyWorker, type LegacyWorker } from './legacy-worker';
import { createOwnerGrants, type OwnerGrants } from './owner-grants';
import { createProofs } from './proofs';
import { createTrustedAccess, type TrustedAccess } from './trusted-access';

/** Digital legacy's use cases (docs/legacy.md), shared by its routes. */
export interface Legacy {
  challenges: Challenges;
  owner: OwnerGrants;
  trusted: TrustedAccess;
  /** Delivers a grant's owed mails right after a change; main.ts runs its own for the timed sweeps. */
  worker: LegacyWorker;
  deps: LegacyDeps;
}

export function createLegacy(deps: LegacyDeps): Legacy {
  const challenges = createChallenges(deps);
  const keys = createKeyCopies(deps);
  const proofs = createProofs(deps, challenges, keys);
  const views = createLegacyViews(deps, proofs, keys);
  const worker = createLegacyWorker(deps);
  return {
    challenges,
    owner: createOwnerGrants(deps, { proofs, keys, views, worker }),
    trusted: createTrustedAccess(deps, { proofs, views, worker }),
    worker,
    deps,
  };
}
