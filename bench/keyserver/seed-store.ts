import { randomBytes } from 'node:crypto';
import { Email, Fingerprint, KeyId } from '../../shared/identity';
import { purifyUpload, DEFAULT_KEY_LIMITS } from '../../keyserver/keys';
import type { Store } from '../../keyserver/store/ports';
import { makeTestKey } from '../../keyserver/test-support/test-keys';

/**
 * Fills a store for the lookup benchmark. A few hundred real keys are the ones looked up; the rest are filler rows
 * with random fingerprints and unique addresses (real packets of one key), so tables and indexes have the size of
 * a directory with that many keys. Generating 100k real keys would take longer than the whole benchmark.
 */
export async function seedRealKeys(store: Store, count: number) {
  const now = new Date();
  const real: { fingerprint: Fingerprint; email: Email }[] = [];
  for (let i = 0; i < count; i++) {
    const email = Email.parse(`bench-${i}@example.org`);
    const key = await makeTestKey([{ name: `Bench ${i}`, email }]);
    const [p] = await purifyUpload(key.publicArmored, DEFAULT_KEY_LIMITS, now);
    await store.keys.putKey({
      ...p!,
      createdAt: now.getTime(),
      updatedAt: now.getTime(),
      expiresAt: null,
      revision: 0,
    });
    await store.bindings.publish({ email, fingerprint: p!.fingerprint, publishedAt: now.getTime() });
    real.push({ fingerprint: p!.fingerprint, email });
  }
  return real;
}

export async function seedFiller(store: Store, from: number, to: number, packets: Uint8Array): Promise<void> {
  const now = Date.now();
  for (let i = from; i < to; i++) {
    const fingerprint = Fingerprint.parse(randomBytes(20).toString('hex'));
    const email = Email.parse(`filler-${i}@example.net`);
    await store.keys.putKey({
      fingerprint,
      version: 4,
      keyIds: [Fingerprint.keyId(fingerprint), KeyId.parse(randomBytes(8).toString('hex'))],
      emails: [email],
      packets,
      createdAt: now,
      updatedAt: now,
      expiresAt: null,
      revision: 0,
    });
    await store.bindings.publish({ email, fingerprint, publishedAt: now });
  }
}
