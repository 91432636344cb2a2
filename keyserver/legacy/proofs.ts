import { isKeywardError } from '../../shared/errors';
import type { Email, Fingerprint } from '../../shared/identity';
import { legacyError, statementText, type Proof, type Statement } from '../../shared/legacy';
import { verifyTextSignature } from '../../shared/openpgp';
import type { Challenges } from './challenges';
import type { KeyCopies } from './key-copies';
import { LEGACY_POLICY, type LegacyDeps } from './legacy-deps';

/**
 * Who signed a statement (docs/legacy.md): the challenge is taken first (single use), the signer's key is merged
 * with every copy of it the keyserver holds, and the signature must verify over the statement rebuilt from the
 * request's own fields. This authenticates only; each use case decides whether that key may act.
 */
export function createProofs(
  deps: Pick<LegacyDeps, 'store' | 'clock'>,
  challenges: Challenges,
  keys: KeyCopies,
) {
  async function signer(
    statement: Omit<Statement, 'challenge'>,
    proof: Proof,
    copies: (fingerprint: Fingerprint) => readonly string[] | Promise<readonly string[]>,
  ): Promise<Fingerprint> {
    await challenges.take(proof.challenge);
    const sent = await keys.readOne(proof.signerKey, 'proof_invalid');
    const key = await keys.merged(sent, await copies(sent.fingerprint));
    try {
      await verifyTextSignature({
        text: statementText({ ...statement, challenge: proof.challenge }),
        signature: proof.signature,
        key,
        date: new Date(deps.clock.now().getTime() + LEGACY_POLICY.proofSkewMs),
      });
    } catch (e) {
      if (!isKeywardError(e)) throw e;
      throw legacyError(
        'proof_invalid',
        'The signature does not verify with the key sent, or that key is revoked or expired.',
      );
    }
    return sent.fingerprint;
  }

  /** The keys that stand for an owner address now: the one published here, and that of its key backup. */
  async function currentOwnerKeys(address: Email): Promise<Fingerprint[]> {
    const [binding, account] = await Promise.all([
      deps.store.bindings.byEmail(address),
      deps.store.escrow.accounts.get(address),
    ]);
    return [...new Set([binding?.fingerprint, account?.fingerprint].filter((f): f is Fingerprint => !!f))];
  }

  return { signer, currentOwnerKeys };
}

export type Proofs = ReturnType<typeof createProofs>;
