import { z } from 'zod';
import {
  createEscrowClient,
  exportHandoverKey,
  handoverChannel,
  importHandoverKey,
  newHandoverKeyPair,
  newHandoverWords,
  normalizeHandoverWords,
  openHandover,
  sealHandover,
} from '../../shared/escrow';
import { KeywardError } from '../../shared/errors';
import type { VaultKey } from '../model';
import type { StorageArea } from '../platform/storage';
import type { Vault } from '../vault/vault';

const KEY = 'handover';
/** The relay keeps a message 10 minutes; a hand-over waits no longer. */
const LIFETIME_MS = 10 * 60 * 1000;

const stateSchema = z.object({
  words: z.string(),
  channel: z.string(),
  publicKey: z.string(),
  privateKey: z.record(z.string(), z.unknown()),
  keyserverUrl: z.string(),
  startedAt: z.number(),
  reply: z.string().optional(),
});

export interface HandoverDeps {
  readonly vault: Vault;
  /** storage.session: the new device's half survives a service-worker restart, not a browser restart. */
  readonly session: StorageArea;
  readonly keyserverUrl: () => Promise<string>;
  readonly now: () => number;
}

export type HandoverStatus = 'waiting' | 'received' | 'expired' | 'none';

/**
 * Device hand-over through the keyserver's blind relay (shared/escrow/handover.ts). The new device shows 7 words
 * and waits; the old device, given the words, sends its passphrase-locked key sealed for the new device; the new
 * device opens it and asks the key's passphrase to add it to the vault. The key never crosses unencrypted, and it
 * stays locked with the user's passphrase inside the sealed message too.
 */
export function createHandoverService({ vault, session, keyserverUrl, now }: HandoverDeps) {
  const client = (baseUrl: string) =>
    createEscrowClient({ fetch: (i, o) => fetch(i, o), baseUrl, now: () => new Date(now()) });

  async function state() {
    const parsed = stateSchema.safeParse(await session.get(KEY));
    return parsed.success ? parsed.data : null;
  }

  return {
    /** The new device: a fresh code, its public key offered on the relay. */
    async start(): Promise<{ words: string }> {
      const words = newHandoverWords();
      const pair = await newHandoverKeyPair();
      const channel = handoverChannel(words);
      const baseUrl = await keyserverUrl();
      await client(baseUrl).relayPut(channel, 'offer', pair.publicKey);
      await session.set({
        [KEY]: {
          words,
          channel,
          publicKey: pair.publicKey,
          privateKey: await exportHandoverKey(pair.privateKey),
          keyserverUrl: baseUrl,
          startedAt: now(),
        },
      });
      return { words };
    },

    /** The new device, polling: has the other device sent the key yet? */
    async check(): Promise<{ status: HandoverStatus }> {
      const s = await state();
      if (!s) return { status: 'none' };
      if (s.reply) return { status: 'received' };
      if (now() - s.startedAt > LIFETIME_MS) {
        await session.remove(KEY);
        return { status: 'expired' };
      }
      const reply = await client(s.keyserverUrl).relayGet(s.channel, 'reply');
      if (!reply) return { status: 'waiting' };
      await session.set({ [KEY]: { ...s, reply } });
      return { status: 'received' };
    },

    /** The new device: opens what arrived and adds the key with its passphrase (wrong passphrase: try again). */
    async finish(passphrase: string): Promise<VaultKey> {
      const s = await state();
      if (!s?.reply) throw new KeywardError('not_found', 'Nothing has arrived from your other device yet.');
      const locked = await openHandover(s.words, await importHandoverKey(s.privateKey), s.publicKey, s.reply);
      const [key] = await vault.import(locked, passphrase);
      if (!key) throw new KeywardError('unavailable', 'The other device sent no key.');
      await session.remove(KEY);
      return key;
    },

    /** The old device: sends one of its keys (as stored, locked) to the device showing these words. */
    async send(fingerprint: string, typedWords: string): Promise<void> {
      const words = normalizeHandoverWords(typedWords);
      const relay = client(await keyserverUrl());
      const channel = handoverChannel(words);
      const offer = await relay.relayGet(channel, 'offer');
      if (!offer) {
        throw new KeywardError(
          'not_found',
          'No new device is waiting for these words. Check them, or start again on the new device (a code ' +
            'lasts 10 minutes and works once).',
        );
      }
      const { text: locked } = await vault.exportKey(fingerprint, { part: 'private' });
      await relay.relayPut(channel, 'reply', await sealHandover(words, offer, locked));
    },
  };
}

export type HandoverService = ReturnType<typeof createHandoverService>;
