import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { invalidInput } from '../errors';

const text = (s: string) => new TextEncoder().encode(s);

function fromBase64Url(input: string): Uint8Array {
  const b64 = input.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(b64)) throw invalidInput('An OPAQUE export key is base64.');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The password of the escrow's passphrase packet: HKDF-SHA256 of the OPAQUE export key (stable across logins with
 * one registration, never sent to the server), as 64 hex digits.
 */
export function passphraseSecret(exportKey: string): string {
  return hex(hkdf(sha256, fromBase64Url(exportKey), undefined, text('keyward/escrow/v1/passphrase'), 32));
}

/** The value the server checks a recovery code by (it keeps only its SHA-256); not the code itself. */
export function recoveryVerifier(phrase: string): string {
  return toBase64Url(hkdf(sha256, text(phrase), undefined, text('keyward/escrow/v1/recovery-auth'), 32));
}
