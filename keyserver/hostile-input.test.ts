import fc from 'fast-check';
import { armor, enums, unarmor } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armoredKeyFixture, binaryKeyFixture, type KeyFixture } from '../tests/fixtures/keys/key-fixtures';
import { startTestKeyserver, type TestKeyserver } from './test-support/test-keyserver';

/**
 * Hostile input, generated: mutated and random keys, bodies, paths and query strings against a whole keyserver
 * (real SQLite, real SMTP). Whatever comes in, the answer is a deliberate one (2xx, 3xx or 4xx, never a 500), it
 * comes within a few seconds (no hang), and the server keeps serving. Rate limits are raised so that the requests
 * reach the parsers instead of stopping at a 429.
 */
let ks: TestKeyserver;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const FIXTURES: KeyFixture[] = [
  'alice-v4',
  'alice-v4.secret',
  'bob-v6',
  'flooded-certifications',
  'photo-user-attribute',
  'no-address-user-id',
  'revoked',
  'expired',
  'bad-self-signature',
  'signing-subkey-without-back-signature',
  'huge-user-ids',
  'duplicated-subkeys',
];
let binaries: Uint8Array[];

beforeAll(async () => {
  ks = await startTestKeyserver({
    RATE_LOOKUPS_PER_MINUTE: '1000000',
    RATE_UPLOADS_PER_HOUR: '1000000',
    RATE_VERIFY_MAILS_PER_IP_HOUR: '1000000',
    RATE_ESCROW_CODES_PER_IP_HOUR: '1000000',
    RATE_ESCROW_CODES_PER_ADDRESS_HOUR: '1000000',
    RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '1000000',
    RATE_RELAY_REQUESTS_PER_IP_MINUTE: '1000000',
    RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '1000000',
  });
  binaries = [
    ...(await Promise.all(
      FIXTURES.map(async (f) => (await unarmor(armoredKeyFixture(f))).data as Uint8Array),
    )),
    binaryKeyFixture('v3-key'),
    binaryKeyFixture('v5-key'),
  ];
});
afterAll(async () => {
  await ks?.close();
});

/**
 * Sends a request and returns its status; fails the property on a 5xx or when no answer comes in 5 s. HKP answers
 * an operation it does not know with 501, as its specification says (draft-shaw-openpgp-hkp §3.1.2).
 */
async function status(path: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(`${ks.url}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  const unknownHkpOperation = response.status === 501 && path.startsWith('/pks/lookup');
  if (response.status >= 500 && !unknownHkpOperation) {
    throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}`);
  }
  return response.status;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** A key's packets with some bytes changed, cut short, spliced with another key's or with random bytes. */
const mutatedKey = fc
  .record({
    which: fc.nat(),
    other: fc.nat(),
    kind: fc.constantFrom('flip', 'truncate', 'splice', 'insert', 'repeat'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  })
  .map(({ which, other, kind, at, bytes }) => {
    const key = binaries[which % binaries.length]!;
    const cut = Math.floor(at * key.length);
    switch (kind) {
      case 'flip': {
        const copy = key.slice();
        bytes.forEach((b, i) => {
          const at = (cut + i * 97) % copy.length;
          copy[at] = (copy[at] ?? 0) ^ (b || 1);
        });
        return copy;
      }
      case 'truncate':
        return key.slice(0, cut);
      case 'splice': {
        const second = binaries[other % binaries.length]!;
        return new Uint8Array([...key.slice(0, cut), ...second.slice(Math.floor(at * second.length))]);
      }
      case 'insert':
        return new Uint8Array([...key.slice(0, cut), ...bytes, ...key.slice(cut)]);
      case 'repeat':
        return new Uint8Array([...key, ...key.slice(cut)]);
    }
  });

/** Lone surrogates replaced (fetch and encodeURIComponent refuse them; the server never sees one in a URL). */
const wellFormed = (text: string) =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const armored = (bytes: Uint8Array) => armor(enums.armor.publicKey, bytes);
const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '',
    '%',
    '%00',
    '..',
    '../../etc/passwd',
    '0x',
    '\u0000',
    '\ud800',
    'a@b',
    '@',
    'x'.repeat(5000),
  ),
);

/** Path segments as an attacker writes them: broken percent escapes, encoded slashes and NULs, overlong UTF-8. */
const rawSegment = fc.constantFrom(
  '%',
  '%E0%A4%A',
  '%FF%FE',
  '%C0%AF',
  '%2e%2e%2f%2e%2e',
  '%00',
  '..%2F..%2F',
  '%25%32%66',
  'a%20b',
);

describe('hostile input to the keyserver', () => {
  it('mutated keys, armored, to VKS upload and HKP add: never a 500 or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedKey, async (bytes) => {
        const text = armored(bytes);
        expect(await status('/vks/v1/upload', json({ keytext: text }))).toBeLessThan(500);
        expect(await status('/pks/add', form({ keytext: text }))).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });

  it('random text and bytes as key text, and malformed bodies: never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        fc.jsonValue({ maxDepth: 3 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        async (text, value, raw) => {
          expect(await status('/vks/v1/upload', json({ keytext: text }))).toBeLessThan(500);
          expect(await status('/vks/v1/upload', json(value))).toBeLessThan(500);
          expect(await status('/vks/v1/request-verify', json(value))).toBeLessThan(500);
          expect(
            await status('/vks/v1/request-verify', json({ token: text, addresses: [text, value] })),
          ).toBeLessThan(500);
          const malformed = { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw };
          expect(await status('/vks/v1/upload', malformed)).toBeLessThan(500);
          expect(await status('/pks/add', form({ keytext: text, [text]: raw }))).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random query strings to HKP lookup: never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('get', 'index', 'vindex', 'stats', 'x', ''),
        anyText,
        fc.dictionary(anyText, anyText, { maxKeys: 4 }),
        async (op, search, extra) => {
          const query = new URLSearchParams({ ...extra, op, search, options: 'mr' });
          expect(await status(`/pks/lookup?${query.toString()}`)).toBeLessThanOrEqual(501);
          const unencoded = `/pks/lookup?op=${op}&search=${wellFormed(search)}`.replaceAll('#', '%23');
          expect(await status(unencoded)).toBeLessThanOrEqual(501);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random path segments for lookups, WKD, verification and management: never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, rawSegment, async (text, raw) => {
        for (const segment of [encodeURIComponent(wellFormed(text)), raw]) {
          for (const path of [
            `/vks/v1/by-email/${segment}`,
            `/vks/v1/by-fingerprint/${segment}`,
            `/vks/v1/by-keyid/${segment}`,
            `/.well-known/openpgpkey/hu/${segment}`,
            `/.well-known/openpgpkey/${segment}/hu/${segment}`,
            `/verify/${segment}`,
            `/manage/${segment}`,
            `/search?q=${segment}`,
          ]) {
            expect(await status(path)).toBeLessThan(500);
          }
          expect(await status(`/verify/${segment}`, { method: 'POST' })).toBeLessThan(500);
          expect(await status(`/manage/${segment}`, form({ action: text }))).toBeLessThan(500);
        }
        expect(await status('/manage', form({ email: text }))).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });

  const escrowPosts = [
    '/escrow/v1/codes',
    '/escrow/v1/register/start',
    '/escrow/v1/accounts',
    '/escrow/v1/login/start',
    '/escrow/v1/login/finish',
    '/escrow/v1/escrow/fetch',
    '/escrow/v1/recover',
    '/escrow/v1/relay/0123456789abcdef0123456789abcdef/offer',
  ];
  /** Bodies shaped like the escrow's, with any field replaced by anything. */
  const escrowBody = fc.dictionary(
    fc.constantFrom(
      'address',
      'purpose',
      'registrationRequest',
      'registrationRecord',
      'startLoginRequest',
      'finishLoginRequest',
      'loginId',
      'code',
      'profile',
      'fingerprint',
      'escrow',
      'recoveryVerifier',
      'recoveryAuth',
      'deviceToken',
      'expectedVersion',
      'payload',
    ),
    fc.oneof(
      anyText,
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('alice@example.org', 'register', 'A'.repeat(96)),
    ),
    { maxKeys: 8 },
  );

  it('random and malformed bodies, paths and tokens to the escrow API: never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        escrowBody,
        fc.jsonValue({ maxDepth: 3 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        anyText,
        rawSegment,
        async (shaped, value, raw, text, segment) => {
          const auth = { authorization: `Bearer ${text.replace(/[^\x21-\x7e]/g, '')}` };
          for (const path of escrowPosts) {
            expect(await status(path, json(shaped))).toBeLessThan(500);
            expect(await status(path, json(value))).toBeLessThan(500);
            const malformed = { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw };
            expect(await status(path, malformed)).toBeLessThan(500);
          }
          const put = {
            ...json(shaped),
            method: 'PUT',
            headers: { 'content-type': 'application/json', ...auth },
          };
          expect(await status('/escrow/v1/escrow', put)).toBeLessThan(500);
          expect(await status('/escrow/v1/escrow', { method: 'DELETE', headers: auth })).toBeLessThan(500);
          for (const s of [encodeURIComponent(wellFormed(text)), segment]) {
            expect(await status(`/escrow/v1/relay/${s}/offer`)).toBeLessThan(500);
            expect(await status(`/escrow/v1/relay/${s}/${s}`, json(shaped))).toBeLessThan(500);
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('oversized and malformed escrow bodies get 400 or 413, never a 500', async () => {
    const big = 'a'.repeat(200 * 1024);
    for (const path of escrowPosts) {
      // Fetching the escrow checks the session first: without one, nothing is read.
      const [tooBig, bad] = path === '/escrow/v1/escrow/fetch' ? [401, 401] : [413, 400];
      expect(await status(path, json({ address: big, escrow: big, payload: big }))).toBe(tooBig);
      const malformed = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' };
      expect(await status(path, malformed)).toBe(bad);
      expect(await status(path, json([1, 2]))).toBe(bad);
    }
    // Within the body limit, but a field over its own limit.
    const payload = 'a'.repeat(64 * 1024 + 1);
    const escrow = `-----BEGIN PGP MESSAGE-----${'a'.repeat(64 * 1024)}`;
    expect(await status('/escrow/v1/relay/0123456789abcdef0123456789abcdef/reply', json({ payload }))).toBe(
      400,
    );
    expect(await status('/escrow/v1/accounts', json({ escrow, address: 'a@example.org' }))).toBe(400);
  });

  const grantId = '0123456789abcdef0123456789abcdef';
  const legacyPosts = [
    '/legacy/v1/challenges',
    '/legacy/v1/grants',
    `/legacy/v1/grants/${grantId}/revoke`,
    `/legacy/v1/grants/${grantId}/refuse`,
    '/legacy/v1/owner/grants',
    '/legacy/v1/trusted/grants',
    `/legacy/v1/grants/${grantId}/request`,
    `/legacy/v1/grants/${grantId}/payload`,
  ];
  const armoredLike = fc.constantFrom(
    '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----',
    '-----BEGIN PGP SIGNATURE-----\n\n!!\n',
    '-----BEGIN PGP MESSAGE-----',
    armoredKeyFixture('alice-v4'),
    armoredKeyFixture('alice-v4.secret').replace(/PRIVATE KEY/g, 'PUBLIC KEY'),
  );
  /** Bodies shaped like digital legacy's: proofs, terms and keys with any field replaced by anything. */
  const legacyValue = fc.oneof(anyText, armoredLike, fc.jsonValue({ maxDepth: 2 }));
  const legacyBody = fc.record({
    proof: fc.option(fc.dictionary(fc.constantFrom('challenge', 'signature', 'signerKey'), legacyValue)),
    terms: fc.option(
      fc.dictionary(
        fc.constantFrom(
          'grantId',
          'version',
          'ownerAddress',
          'ownerFingerprint',
          'waitingDays',
          'kind',
          'createdAt',
        ),
        fc.oneof(legacyValue, fc.integer(), fc.constant(grantId)),
      ),
    ),
    termsSignature: fc.option(legacyValue),
    ownerKey: fc.option(armoredLike),
    trustedKey: fc.option(legacyValue),
    payload: fc.option(legacyValue),
    requestId: fc.option(legacyValue),
    ownerAddress: fc.option(fc.oneof(anyText, fc.constant('owner@example.org'))),
  });

  it('random and malformed bodies, paths and proofs to the digital-legacy API: never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        legacyBody,
        fc.string({ unit: 'binary', maxLength: 300 }),
        anyText,
        rawSegment,
        async (shaped, raw, text, segment) => {
          const auth = { authorization: `Bearer ${text.replace(/[^\x21-\x7e]/g, '')}` };
          for (const path of legacyPosts) {
            expect(
              await status(path, {
                ...json(shaped),
                headers: { 'content-type': 'application/json', ...auth },
              }),
            ).toBeLessThan(500);
            const malformed = { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw };
            expect(await status(path, malformed)).toBeLessThan(500);
          }
          expect(
            await status(`/legacy/v1/grants/${grantId}`, { ...json(shaped), method: 'PUT' }),
          ).toBeLessThan(500);
          for (const s of [encodeURIComponent(wellFormed(text)), segment]) {
            expect(await status(`/legacy/v1/grants/${s}/request`, json(shaped))).toBeLessThan(500);
            expect(await status(`/legacy/requests/${s}/${s}`)).toBeLessThan(500);
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('still serves a real key after all of that', async () => {
    expect(await status('/vks/v1/upload', json({ keytext: armoredKeyFixture('alice-v4') }))).toBe(200);
  });
});
