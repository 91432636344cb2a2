import { KeywardError } from '../../shared/errors';
import type { Email, Fingerprint } from '../../shared/identity';
import { mergeKeys, purifyUpload, revokedEmails, type PurifiedKey } from '../keys';
import { keyReplacedMail, verificationMail } from '../mail/mail-texts';
import { canEncryptMailTo } from '../mail/pgp-mime';
import type { StoredKey } from '../store/ports';
import { updateKey } from '../store/update-key';
import { type Client, type DirectoryDeps, rateRules } from './directory-deps';
import { hashSecretToken, isWellFormedSecretToken, newSecretToken } from './secret-token';

/** VKS's address states; `revoked`: the key's user ID for the address is revoked, so it is never published. */
export type AddressStatus = 'unpublished' | 'pending' | 'published' | 'revoked';

export interface UploadResult {
  fingerprint: Fingerprint;
  token: string;
  status: Partial<Record<Email, AddressStatus>>;
  /** True when the key was not stored before this upload. */
  isNew: boolean;
}

/** The addresses of an upload that are neither published nor pending: the ones to mail a verification link. */
export function unpublishedAddresses(result: UploadResult): Email[] {
  return (Object.keys(result.status) as Email[]).filter((email) => result.status[email] === 'unpublished');
}

const DAY = 86_400_000;

/** Keys one HKP or form upload may carry (GnuPG sends one key per request; small keyrings are fine). */
export const MAX_KEYS_PER_KEYRING = 5;

/**
 * Upload, request-verify and confirm: the three steps from an uploaded public key to published addresses.
 * Every upload and merge goes through the key policy; an address is published only by its mailed token.
 */
export function createPublishing(deps: DirectoryDeps) {
  const rules = rateRules(deps.config);
  const now = () => deps.clock.now();

  async function status(key: StoredKey | PurifiedKey): Promise<UploadResult['status']> {
    const out: UploadResult['status'] = {};
    const revoked = 'revokedEmails' in key ? key.revokedEmails : await revokedEmails(key.packets, now());
    for (const email of revoked) out[email] = 'revoked';
    for (const email of key.emails) {
      const binding = await deps.store.bindings.byEmail(email);
      if (binding?.fingerprint === key.fingerprint) out[email] = 'published';
      else
        out[email] = (await deps.store.tokens.hasActive('verify', email, key.fingerprint, now().getTime()))
          ? 'pending'
          : 'unpublished';
    }
    return out;
  }

  /** Refuses a key whose primary or subkey id is already used by a different stored key (key-id collision). */
  async function assertNoKeyIdCollision(key: PurifiedKey): Promise<void> {
    for (const keyId of key.keyIds) {
      const holders = await deps.store.keys.findByKeyId(keyId);
      if (holders.some((k) => k.fingerprint !== key.fingerprint)) {
        throw new KeywardError(
          'conflict',
          `Key id ${keyId} is already used by a different key on this server. Key id collisions are refused.`,
        );
      }
    }
  }

  async function storeOne(uploaded: PurifiedKey): Promise<UploadResult> {
    const t = now();
    let merged: PurifiedKey = uploaded;
    const { before } = await updateKey(deps.store.keys, uploaded.fingerprint, async (existing) => {
      merged = existing ? await mergeKeys(existing.packets, uploaded.packets, deps.keyLimits, t) : uploaded;
      await assertNoKeyIdCollision(merged);
      const published = (await deps.store.bindings.byFingerprint(merged.fingerprint)).some((b) =>
        merged.emails.includes(b.email),
      );
      return {
        fingerprint: merged.fingerprint,
        version: merged.version,
        keyIds: merged.keyIds,
        emails: merged.emails,
        packets: merged.packets,
        createdAt: existing?.createdAt ?? t.getTime(),
        updatedAt: t.getTime(),
        // Kept for good once published or revoked: the revocation must stay served after addresses are removed.
        expiresAt:
          published || merged.revoked || existing?.expiresAt === null
            ? null
            : t.getTime() + deps.config.UNVERIFIED_TTL_DAYS * DAY,
      };
    });
    const key = merged;
    // A published address whose user id was revoked (or dropped) in the update stops being served at once.
    for (const b of await deps.store.bindings.byFingerprint(key.fingerprint)) {
      if (!key.emails.includes(b.email)) await deps.store.bindings.unpublish(b.email, key.fingerprint);
    }
    return {
      fingerprint: key.fingerprint,
      token: deps.uploadTokens.issue(key.fingerprint, t.getTime()),
      status: await status(key),
      isNew: before === null,
    };
  }

  return {
    /** `maxKeys`: how many keys one request may carry (1 for VKS and REST; a small keyring for HKP). */
    async upload(input: string | Uint8Array, client: Client, maxKeys = 1): Promise<UploadResult[]> {
      await deps.limiter.enforce(rules.upload, client.ip);
      // A key we already hold may come back without user ids (our own uid-less copy plus a revocation): merge it.
      const keys = await purifyUpload(input, deps.keyLimits, now(), {
        isKnown: async (fpr) => (await deps.store.keys.getKey(fpr)) !== null,
      });
      // Counted before anything is stored: each key may bring 20 addresses to mail (mail amplification).
      if (keys.length > maxKeys) {
        throw new KeywardError(
          'invalid_input',
          `Upload at most ${maxKeys} key${maxKeys === 1 ? '' : 's'} at a time.`,
        );
      }
      const results: UploadResult[] = [];
      for (const key of keys) results.push(await storeOne(key));
      deps.log.info({ fingerprints: results.map((r) => r.fingerprint), ip: client.ip }, 'keys uploaded');
      return results;
    },

    /**
     * Mails a verification link to each requested address of the uploaded key (one mail per address per hour;
     * past that the address simply stays pending). Addresses not on the key are ignored.
     */
    async requestVerify(uploadToken: string, addresses: Email[], client: Client): Promise<UploadResult> {
      const t = now().getTime();
      const fingerprint = deps.uploadTokens.check(uploadToken, t);
      const key = await deps.store.keys.getKey(fingerprint);
      if (!key) throw new KeywardError('not_found', 'This key is no longer stored here; upload it again.');
      const current = await status(key);
      for (const email of addresses) {
        if (current[email] !== 'unpublished' && current[email] !== 'pending') continue;
        // One mail an hour per (address, key), so another key's requests cannot use up this key's mails, and a
        // looser cap per address against flooding one mailbox through many keys.
        if (!(await deps.limiter.allow(rules.verifyMail, `${email}:${fingerprint}`))) continue;
        if (!(await deps.limiter.allow(rules.verifyMailAddress, email))) continue;
        if (!(await deps.limiter.allow(rules.verifyMailIp, client.ip))) {
          deps.log.warn({ fingerprint, ip: client.ip }, 'verification mail budget of this client used up');
          break;
        }
        const { token, hash } = newSecretToken();
        const ttlMs = deps.config.TOKEN_TTL_HOURS * 3_600_000;
        await deps.store.tokens.issue({
          hash,
          purpose: 'verify',
          fingerprint,
          email,
          createdAt: t,
          expiresAt: t + ttlMs,
        });
        const mail = verificationMail({
          baseUrl: deps.config.BASE_URL,
          email,
          fingerprint,
          link: `${deps.config.BASE_URL}/verify/${token}`,
          expiresHours: deps.config.TOKEN_TTL_HOURS,
        });
        // Encrypted when the key can receive it; otherwise plain: the link still proves control of the address.
        const encrypt =
          deps.config.MAIL_ENCRYPT === 'when-possible' && (await canEncryptMailTo(key.packets, now()));
        if (deps.config.MAIL_ENCRYPT === 'when-possible' && !encrypt) {
          deps.log.warn(
            { fingerprint },
            'the key cannot receive encryption; verification mail goes unencrypted',
          );
        }
        await deps.mailQueue.enqueue(
          { to: email, ...mail, ...(encrypt ? { encryptTo: key.packets } : {}) },
          { expiresAt: t + ttlMs },
        );
        deps.log.info({ fingerprint, email }, 'verification mail queued');
      }
      return { fingerprint, token: uploadToken, status: await status(key), isNew: false };
    },

    /** What a mailed link would publish, for the page that asks before it confirms; the link stays usable. */
    async pending(token: string): Promise<{ email: Email; fingerprint: Fingerprint }> {
      const record = isWellFormedSecretToken(token)
        ? await deps.store.tokens.peek(hashSecretToken(token), now().getTime())
        : null;
      if (!record || record.purpose !== 'verify') {
        throw new KeywardError(
          'forbidden',
          'This verification link is invalid, was already used, has expired or was replaced by a newer one.',
        );
      }
      return { email: record.email, fingerprint: record.fingerprint };
    },

    /** Publishes the address the mailed token was issued for; single use, bound to (fingerprint, address). */
    async confirm(token: string): Promise<{ email: Email; fingerprint: Fingerprint }> {
      const invalid = new KeywardError(
        'forbidden',
        'This verification link is invalid, was already used, has expired or was replaced by a newer one.',
      );
      if (!isWellFormedSecretToken(token)) throw invalid;
      const t = now().getTime();
      const record = await deps.store.tokens.consume(hashSecretToken(token), t);
      if (!record || record.purpose !== 'verify') throw invalid;
      // A link older than the address's current binding to another key is stale: it must not take it back.
      const current = await deps.store.bindings.byEmail(record.email);
      if (current && current.fingerprint !== record.fingerprint && current.publishedAt > record.createdAt)
        throw invalid;
      const key = await deps.store.keys.getKey(record.fingerprint);
      if (!key?.emails.includes(record.email)) {
        throw new KeywardError('not_found', 'The key no longer carries this address; upload it again.');
      }
      const { replaced } = await deps.store.bindings.publish({
        email: record.email,
        fingerprint: record.fingerprint,
        publishedAt: t,
      });
      // A concurrent upload may have revoked this user id between the check above and the publish: undo then.
      const after = await deps.store.keys.getKey(record.fingerprint);
      if (!after?.emails.includes(record.email)) {
        await deps.store.bindings.unpublish(record.email, record.fingerprint);
        throw new KeywardError('not_found', 'The key no longer carries this address; upload it again.');
      }
      // A published key is kept (no expiry); re-applied on top of any concurrent merge.
      await updateKey(deps.store.keys, record.fingerprint, (current) =>
        Promise.resolve(current && { ...current, expiresAt: null, updatedAt: t }),
      );
      deps.log.info({ fingerprint: record.fingerprint, email: record.email, replaced }, 'address published');
      if (replaced !== null && replaced !== record.fingerprint) {
        const mail = keyReplacedMail({
          email: record.email,
          oldFingerprint: replaced,
          newFingerprint: record.fingerprint,
          baseUrl: deps.config.BASE_URL,
        });
        await deps.mailQueue.enqueue({ to: record.email, ...mail });
      }
      return { email: record.email, fingerprint: record.fingerprint };
    },
  };
}

export type Publishing = ReturnType<typeof createPublishing>;
