import { KeywardError } from '../../shared/errors';
import type { Email, Fingerprint } from '../../shared/identity';
import type { Binding } from '../store/ports';
import type { KeyQuery } from './lookup';
import { unpublishMail } from '../mail/mail-texts';
import { type Client, type DirectoryDeps, rateRules } from './directory-deps';
import { hashSecretToken, isWellFormedSecretToken, newSecretToken } from './secret-token';

/**
 * Taking an address off the directory, confirmed by a link mailed to that address. The request's answer and its
 * timing are the same whether the address is unknown, pending or published: the mail goes out after the response.
 */
export function createUnpublishing(deps: DirectoryDeps) {
  const rules = rateRules(deps.config);

  async function mailLink(email: Email, fingerprint: Fingerprint): Promise<void> {
    if (!(await deps.limiter.allow(rules.unpublishMail, email))) return;
    const t = deps.clock.now().getTime();
    const ttlMs = deps.config.TOKEN_TTL_HOURS * 3_600_000;
    const { token, hash } = newSecretToken();
    await deps.store.tokens.issue({
      hash,
      purpose: 'unpublish',
      fingerprint,
      email,
      createdAt: t,
      expiresAt: t + ttlMs,
    });
    const mail = unpublishMail({
      email,
      link: `${deps.config.BASE_URL}/manage/${token}`,
      expiresHours: deps.config.TOKEN_TTL_HOURS,
    });
    await deps.mailQueue.enqueue({ to: email, ...mail }, { expiresAt: t + ttlMs });
  }

  /** The published addresses the request names: the address itself, or every one of the key. */
  async function bindingsOf(target: KeyQuery): Promise<Binding[]> {
    switch (target.kind) {
      case 'email':
        return [await deps.store.bindings.byEmail(target.email)].filter((b) => b !== null);
      case 'fingerprint':
        return deps.store.bindings.byFingerprint(target.fingerprint);
      case 'keyid': {
        const keys = await deps.store.keys.findByKeyId(target.keyId);
        // Two keys behind one key id (a collision uploads refuse, but the store may hold from before): neither.
        if (keys.length !== 1) return [];
        return deps.store.bindings.byFingerprint(keys[0]!.fingerprint);
      }
    }
  }

  return {
    async request(target: KeyQuery, client: Client): Promise<void> {
      await deps.limiter.enforce(rules.unpublishRequest, client.ip);
      deps.background.run('unpublish-mail', async () => {
        for (const b of await bindingsOf(target)) await mailLink(b.email, b.fingerprint);
      });
    },

    /** What a mailed removal link would remove, for the page that asks before it confirms; the link stays usable. */
    async pending(token: string): Promise<{ email: Email; fingerprint: Fingerprint }> {
      const record = isWellFormedSecretToken(token)
        ? await deps.store.tokens.peek(hashSecretToken(token), deps.clock.now().getTime())
        : null;
      if (!record || record.purpose !== 'unpublish') {
        throw new KeywardError('forbidden', 'This link is invalid, was already used or has expired.');
      }
      return { email: record.email, fingerprint: record.fingerprint };
    },

    async confirm(token: string): Promise<{ email: Email; fingerprint: Fingerprint }> {
      const invalid = new KeywardError('forbidden', 'This link is invalid, was already used or has expired.');
      if (!isWellFormedSecretToken(token)) throw invalid;
      const record = await deps.store.tokens.consume(hashSecretToken(token), deps.clock.now().getTime());
      if (!record || record.purpose !== 'unpublish') throw invalid;
      await deps.store.bindings.unpublish(record.email, record.fingerprint);
      deps.log.info({ fingerprint: record.fingerprint, email: record.email }, 'address unpublished');
      return { email: record.email, fingerprint: record.fingerprint };
    },
  };
}

export type Unpublishing = ReturnType<typeof createUnpublishing>;
