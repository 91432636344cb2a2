import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEscrowClient,
  handoverChannel,
  newHandoverKeyPair,
  newHandoverWords,
  normalizeHandoverWords,
  openHandover,
  sealHandover,
  type EscrowClient,
} from '../../shared/escrow';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';

// Device hand-over through the keyserver's blind relay: the new device offers a public key under a channel named
// by its 7 words, the old device seals the key for it; the relay sees only public keys and ciphertext.
let ks: TestKeyserver;
let relay: EscrowClient;
beforeAll(async () => {
  ks = await startTestKeyserver();
  relay = createEscrowClient({ fetch, baseUrl: ks.url, now: () => new Date() });
});
afterAll(() => ks?.close());

const LOCKED_KEY =
  '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlocked key stand-in\n-----END PGP PRIVATE KEY BLOCK-----\n';

describe('device hand-over', () => {
  it('hands a key from the old device to the new one through the relay, end to end encrypted', async () => {
    const words = newHandoverWords();
    expect(words.split(' ')).toHaveLength(7);
    const channel = handoverChannel(words);
    expect(channel).toMatch(/^[0-9a-f]{32}$/);
    // New device: offers its public key.
    const newDevice = await newHandoverKeyPair();
    await relay.relayPut(channel, 'offer', newDevice.publicKey);
    // Old device: the user typed the words (in any case and spacing).
    const typed = normalizeHandoverWords(words.toUpperCase().replace(/ /g, '\n '));
    const offer = await relay.relayGet(handoverChannel(typed), 'offer');
    expect(offer).toBe(newDevice.publicKey);
    await relay.relayPut(channel, 'reply', await sealHandover(typed, offer!, LOCKED_KEY));
    // New device: picks up and opens.
    const reply = await relay.relayGet(channel, 'reply');
    expect(reply).not.toContain('locked key stand-in');
    expect(await openHandover(words, newDevice.privateKey, newDevice.publicKey, reply!)).toBe(LOCKED_KEY);
    // Single pickup.
    await expect(relay.relayGet(channel, 'reply')).resolves.toBeNull();
  });

  it('a relay substituting its own public key gets nothing it can open, and the new device refuses the result', async () => {
    const words = newHandoverWords();
    const newDevice = await newHandoverKeyPair();
    const operator = await newHandoverKeyPair();
    // The old device seals for the operator's key (the relay swapped the offer) ...
    const sealed = await sealHandover(words, operator.publicKey, LOCKED_KEY);
    // ... which the operator cannot open without the words,
    await expect(
      openHandover(newHandoverWords(), operator.privateKey, operator.publicKey, sealed),
    ).rejects.toMatchObject({ code: 'forbidden' });
    // and which the real new device cannot open either (so it does not import something unverified).
    await expect(
      openHandover(words, newDevice.privateKey, newDevice.publicKey, sealed),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('tampered messages, wrong words and reused codes are refused with clear errors', async () => {
    const words = newHandoverWords();
    const device = await newHandoverKeyPair();
    const sealed = await sealHandover(words, device.publicKey, LOCKED_KEY);
    const flipped = sealed.slice(0, -6) + (sealed.at(-6) === 'A' ? 'B' : 'A') + sealed.slice(-5);
    await expect(openHandover(words, device.privateKey, device.publicKey, flipped)).rejects.toThrow();
    await expect(
      openHandover(words, device.privateKey, device.publicKey, 'not base64!'),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(() => normalizeHandoverWords('only three words')).toThrow('has 7 words; this has 3');
    const channel = handoverChannel(words);
    await relay.relayPut(channel, 'offer', device.publicKey);
    await expect(relay.relayPut(channel, 'offer', device.publicKey)).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});
