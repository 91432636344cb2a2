import { z } from 'zod';
import { Email, emailSchema, type Fingerprint, fingerprintSchema } from '../../shared/identity';
import type { Clock } from '../../shared/clock';
import type { AddressState, Publication } from '../model';
import type { StorageArea } from '../platform/storage';
import type { VksClient } from '../directory/vks-client';

export interface PublisherDeps {
  readonly vks: VksClient;
  readonly local: StorageArea;
  readonly clock: Clock;
  readonly keyserverUrl: () => Promise<string>;
  readonly publicKey: (fingerprint: string) => Promise<string>;
}

const publicationSchema = z.object({
  keyserverUrl: z.string(),
  fingerprint: fingerprintSchema,
  addresses: z.array(
    z.object({ email: emailSchema, state: z.enum(['unpublished', 'pending', 'published']) }),
  ),
  checkedAt: z.number(),
});

const recordKey = (fingerprint: string) => `publication.${fingerprint}`;

/**
 * Publishing the user's key on the configured keyserver, VKS style: upload, then ask for a verification mail for
 * each address not yet published or pending. The keyserver answers every upload with each address's state, so a
 * status check is an upload that asks for nothing. The last answer is kept so pages can show it at once.
 */
export function createPublisher({ vks, local, clock, keyserverUrl, publicKey }: PublisherDeps) {
  async function check(fingerprint: Fingerprint, requestMails: boolean): Promise<Publication> {
    const url = await keyserverUrl();
    const result = await vks.upload(url, await publicKey(fingerprint));
    let addresses = Object.entries(result.status)
      // A revoked user id is no longer the user's address to publish; the key shows it as revoked anyway.
      .filter((entry): entry is [string, AddressState] => entry[1] !== 'revoked')
      // The keyserver's answer names addresses in its own normal form, which is Email's.
      .map(([email, state]) => ({ email: Email.parse(email), state }));
    const toVerify = addresses.filter((a) => a.state === 'unpublished').map((a) => a.email);
    if (requestMails && toVerify.length > 0) {
      await vks.requestVerify(url, result.token, toVerify);
      addresses = addresses.map((a) =>
        toVerify.includes(a.email) ? { ...a, state: 'pending' as const } : a,
      );
    }
    const publication: Publication = {
      keyserverUrl: url,
      fingerprint,
      addresses,
      checkedAt: clock.now().getTime(),
    };
    await local.set({ [recordKey(fingerprint)]: publication });
    return publication;
  }

  return {
    publish: (fingerprint: Fingerprint) => check(fingerprint, true),
    refresh: (fingerprint: Fingerprint) => check(fingerprint, false),
    /** The last known state, without asking the keyserver; null if never published from this browser. */
    async last(fingerprint: string): Promise<Publication | null> {
      const parsed = publicationSchema.safeParse(await local.get(recordKey(fingerprint)));
      return parsed.success ? parsed.data : null;
    },
    forget: (fingerprint: string) => local.remove(recordKey(fingerprint)),
  };
}

export type Publisher = ReturnType<typeof createPublisher>;
