import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { KeywardError, invalidInput } from '../errors';

/**
 * Device hand-over (docs/escrow.md, "How it works"): the new device shows 7 words (77 bits) and a QR code of them;
 * both devices derive the relay channel and, from an X25519 exchange bound to the Argon2-stretched words, an AES-256-GCM key.
 * The relay (the keyserver) sees only public keys and ciphertext; replacing the new device's public key gains it
 * nothing without the words, which it would have to guess at Argon2 cost within the relay's 10 minutes.
 */
export const HANDOVER_WORDS = 7;
/** Argon2id cost for the words: OWASP's minimum (19 MiB, t=2); 77 random bits need no more. */
const STRETCH = { m: 19_456, t: 2, p: 1 } as const;

const text = (s: string) => new TextEncoder().encode(s);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(input: string): Uint8Array {
  const b64 = input.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*$/.test(b64)) throw invalidInput('The hand-over message is damaged.');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** 7 words drawn uniformly from the BIP39 English list. */
export function newHandoverWords(): string {
  const picks = new Uint16Array(HANDOVER_WORDS);
  crypto.getRandomValues(picks);
  return Array.from(picks, (n) => wordlist[n % 2048]).join(' ');
}

/** The words as typed (any case, spaces, new lines) in their one form; unknown words and wrong counts refused. */
export function normalizeHandoverWords(input: string): string {
  const words = input
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (words.length !== HANDOVER_WORDS) {
    throw invalidInput(`A hand-over code has ${HANDOVER_WORDS} words; this has ${words.length}.`);
  }
  const unknown = words.find((w) => !wordlist.includes(w));
  if (unknown !== undefined)
    throw invalidInput(`“${unknown.slice(0, 20)}” is not a word of a hand-over code.`);
  return words.join(' ');
}

/** The relay channel (32 hex digits) both devices use for these words. */
export function handoverChannel(words: string): string {
  return hex(hkdf(sha256, text(words), undefined, text('keyward/handover/v1/channel'), 16));
}

export interface HandoverKeyPair {
  readonly privateKey: CryptoKey;
  /** Raw X25519 public key, base64url. */
  readonly publicKey: string;
}

export async function newHandoverKeyPair(): Promise<HandoverKeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: toBase64Url(raw) };
}

/** The private key as JWK, to survive a service-worker restart in session storage; and back. */
export const exportHandoverKey = (key: CryptoKey) => crypto.subtle.exportKey('jwk', key);
export const importHandoverKey = (jwk: JsonWebKey) =>
  crypto.subtle.importKey('jwk', jwk, { name: 'X25519' }, false, ['deriveBits']);

async function channelKey(
  words: string,
  own: CryptoKey,
  theirs: string,
  offerKey: string,
  replyKey: string,
): Promise<CryptoKey> {
  const peer = await crypto.subtle.importKey(
    'raw',
    fromBase64Url(theirs) as BufferSource,
    { name: 'X25519' },
    false,
    [],
  );
  const shared = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: peer }, own, 256));
  const channel = text(handoverChannel(words));
  const stretched = await argon2idAsync(text(words), channel, { ...STRETCH, dkLen: 32 });
  const ikm = new Uint8Array([...shared, ...stretched]);
  const info = text(`keyward/handover/v1/key|${offerKey}|${replyKey}`);
  const raw = hkdf(sha256, ikm, channel, info, 32);
  return crypto.subtle.importKey('raw', raw as BufferSource, { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ]);
}

/** The old device: seals `payload` (the passphrase-locked key) for the new device whose offer it read. */
export async function sealHandover(words: string, offerPublicKey: string, payload: string): Promise<string> {
  const own = await newHandoverKeyPair();
  const key = await channelKey(words, own.privateKey, offerPublicKey, offerPublicKey, own.publicKey);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, text(payload)));
  return toBase64Url(
    text(JSON.stringify({ publicKey: own.publicKey, iv: toBase64Url(iv), data: toBase64Url(sealed) })),
  );
}

/** The new device: opens the reply with its own key pair and the words. Tampered or wrong words: forbidden. */
export async function openHandover(
  words: string,
  own: CryptoKey,
  ownPublicKey: string,
  reply: string,
): Promise<string> {
  let parsed: { publicKey?: unknown; iv?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(fromBase64Url(reply))) as typeof parsed;
  } catch {
    throw invalidInput('The hand-over message is damaged.');
  }
  if (
    typeof parsed.publicKey !== 'string' ||
    typeof parsed.iv !== 'string' ||
    typeof parsed.data !== 'string'
  ) {
    throw invalidInput('The hand-over message is damaged.');
  }
  const key = await channelKey(words, own, parsed.publicKey, ownPublicKey, parsed.publicKey);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(parsed.iv) as BufferSource },
      key,
      fromBase64Url(parsed.data) as BufferSource,
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new KeywardError(
      'forbidden',
      'The key sent from the other device could not be opened: the words differ, or someone tampered with it.',
    );
  }
}
