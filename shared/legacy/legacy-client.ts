import type { z } from 'zod';
import { KeywardError } from '../errors';
import { Email, Fingerprint } from '../identity';
import { publicKeyOf, signText, summarizeKey, type UnlockedKey } from '../openpgp';
import { makeGrantUpload, type GrantChoice } from './make-grant-upload';
import {
  challengeAnswerSchema,
  errorAnswerSchema,
  isLegacyReason,
  legacyError,
  ownerGrantAnswerSchema,
  ownerGrantsAnswerSchema,
  releaseAnswerSchema,
  trustedGrantAnswerSchema,
  trustedGrantsAnswerSchema,
  type OwnerGrantView,
  type Proof,
  type TrustedGrantView,
} from './legacy-api';
import { openRelease, type ReleasedKey } from './open-release';
import { statementText, type Statement } from './statement';
import { verifyGrantTerms } from './verify-grant-terms';

export interface LegacyClientDeps {
  readonly fetch: typeof fetch;
  /** The keyserver's base URL, e.g. https://keys.example.org (no trailing slash). */
  readonly baseUrl: string;
  readonly now: () => Date;
  /** Random bytes for grant ids (default: crypto.getRandomValues). */
  readonly randomBytes?: (length: number) => Uint8Array;
  readonly timeoutMs?: number;
}

/**
 * How the owner proves it is them: their unlocked key (signs a statement), or a session of their key backup
 * (shared/escrow's `startSession`, an OPAQUE login with the passphrase) on a device without the key.
 */
export type OwnerCredential = { readonly key: UnlockedKey } | { readonly sessionToken: string };

/** A grant that names the trusted person's key, its terms checked against the owner key it carries. */
export interface TrustedGrantList {
  grants: TrustedGrantView[];
  /** Grants the keyserver listed whose terms the owner key did not sign: left out, counted here. */
  rejected: number;
}

/**
 * The client of the keyserver's digital-legacy API (docs/legacy.md), for the extension's options page: the owner
 * creates, lists, changes, revokes grants and refuses requests; the trusted person lists the grants naming their key,
 * asks for access, and fetches and opens a released key. Every failure is a KeywardError; the keyserver's reasons
 * arrive as `details.reason` (legacy-api.ts LEGACY_REASONS).
 */
export function createLegacyClient(deps: LegacyClientDeps) {
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const random = deps.randomBytes ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));

  async function call<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body: unknown,
    options: { sessionToken?: string; expect?: number } = {},
  ): Promise<z.output<S>> {
    let response: Response;
    try {
      response = await deps.fetch(`${deps.baseUrl}/legacy/v1${path}`, {
        method,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          ...(options.sessionToken ? { authorization: `Bearer ${options.sessionToken}` } : {}),
        },
        body: JSON.stringify(body),
        credentials: 'omit',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new KeywardError(
        'unavailable',
        `The keyserver at ${deps.baseUrl} did not answer. Nothing was changed; try again later.`,
        {},
        { cause },
      );
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (response.status !== (options.expect ?? 200)) throw failure(response, parsed);
    const result = schema.safeParse(parsed);
    if (!result.success) {
      throw new KeywardError('unavailable', `The keyserver at ${deps.baseUrl} sent an unreadable answer.`);
    }
    return result.data;
  }

  function failure(response: Response, body: unknown): KeywardError {
    const said = errorAnswerSchema.safeParse(body);
    const message = said.success ? said.data.error : `The keyserver answered HTTP ${response.status}.`;
    const retry = Number(response.headers.get('retry-after'));
    const details: Record<string, number> =
      Number.isFinite(retry) && retry > 0 ? { retryAfterSeconds: Math.ceil(retry) } : {};
    if (said.success && isLegacyReason(said.data.reason))
      return legacyError(said.data.reason, message, details);
    if (response.status === 429) return new KeywardError('rate_limited', message, details);
    if (response.status >= 500) return new KeywardError('unavailable', message);
    if (response.status === 413) return new KeywardError('too_large', message);
    if (response.status === 404) return new KeywardError('not_found', message);
    return new KeywardError(response.status === 403 ? 'forbidden' : 'invalid_input', message);
  }

  /** A fresh challenge, signed into the statement with the keyserver's time (the device's clock may be off). */
  async function prove(key: UnlockedKey, statement: Omit<Statement, 'challenge'>): Promise<Proof> {
    const { challenge, serverTime } = await call(
      challengeAnswerSchema,
      'POST',
      '/challenges',
      {},
      { expect: 201 },
    );
    return {
      challenge,
      signature: await signText({
        key,
        text: statementText({ ...statement, challenge }),
        date: new Date(serverTime),
      }),
      signerKey: await publicKeyOf(key),
    };
  }

  /** An owner action's body and session: a signed statement, or nothing in the body and the session in a header. */
  async function ownerProof(credential: OwnerCredential, statement: Omit<Statement, 'challenge'>) {
    if ('sessionToken' in credential) return { body: {}, sessionToken: credential.sessionToken };
    return { body: { proof: await prove(credential.key, statement) } };
  }

  function newGrantId(): string {
    return Array.from(random(16), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function listForMe(trustedKey: UnlockedKey): Promise<TrustedGrantList> {
    const proof = await prove(trustedKey, { action: 'list-trusted' });
    const { grants } = await call(trustedGrantsAnswerSchema, 'POST', '/trusted/grants', { proof });
    const mine = (await summarizeKey(trustedKey, { date: deps.now() })).fingerprint;
    const checked: TrustedGrantView[] = [];
    for (const grant of grants) {
      const signed = await verifyGrantTerms({
        terms: grant.terms,
        termsSignature: grant.termsSignature,
        ownerKey: grant.ownerKey,
        now: deps.now(),
      }).then(
        () => true,
        () => false,
      );
      if (signed && grant.terms.trustedFingerprint === mine) checked.push(grant);
    }
    return { grants: checked, rejected: grants.length - checked.length };
  }

  return {
    /**
     * Owner: names a trusted person. `trustedKey` is the key pinned for `trustedAddress`; the owner's key must be
     * the one this keyserver publishes for `ownerAddress` (or that of their key backup).
     */
    async createGrant(choice: GrantChoice): Promise<OwnerGrantView> {
      const upload = await makeGrantUpload({
        ...choice,
        grantId: newGrantId(),
        version: 1,
        date: deps.now(),
      });
      return (await call(ownerGrantAnswerSchema, 'POST', '/grants', upload, { expect: 201 })).grant;
    },

    /**
     * Owner: a new version of a grant (another waiting period, another trusted key, or the owner's new key after a
     * rotation). `currentVersion` is the version the owner last saw; a pending request is cancelled.
     */
    async changeGrant(
      options: GrantChoice & { grantId: string; currentVersion: number },
    ): Promise<OwnerGrantView> {
      const upload = await makeGrantUpload({
        ...options,
        grantId: options.grantId,
        version: options.currentVersion + 1,
        date: deps.now(),
      });
      return (await call(ownerGrantAnswerSchema, 'PUT', `/grants/${options.grantId}`, upload)).grant;
    },

    /** Owner: every grant made for `ownerAddress`, with its request and history. */
    async listOwnGrants(options: {
      ownerAddress: string;
      credential: OwnerCredential;
    }): Promise<OwnerGrantView[]> {
      const ownerAddress = Email.parse(options.ownerAddress);
      const { body, sessionToken } = await ownerProof(options.credential, {
        action: 'list-owned',
        ownerAddress,
      });
      const answer = await call(
        ownerGrantsAnswerSchema,
        'POST',
        '/owner/grants',
        { ...body, ownerAddress },
        sessionToken ? { sessionToken } : {},
      );
      return answer.grants;
    },

    /** Owner: withdraws a grant; the payload is erased on the keyserver and a pending request ends. */
    async revokeGrant(options: { grantId: string; credential: OwnerCredential }): Promise<OwnerGrantView> {
      const { body, sessionToken } = await ownerProof(options.credential, {
        action: 'revoke',
        grantId: options.grantId,
      });
      const path = `/grants/${options.grantId}/revoke`;
      return (await call(ownerGrantAnswerSchema, 'POST', path, body, sessionToken ? { sessionToken } : {}))
        .grant;
    },

    /** Owner: refuses a pending request (the one named in the mail and in the grant's `request`). */
    async refuseRequest(options: {
      grantId: string;
      requestId: string;
      credential: OwnerCredential;
    }): Promise<OwnerGrantView> {
      const { body, sessionToken } = await ownerProof(options.credential, {
        action: 'refuse',
        grantId: options.grantId,
        requestId: options.requestId,
      });
      const path = `/grants/${options.grantId}/refuse`;
      const sent = { ...body, requestId: options.requestId };
      return (await call(ownerGrantAnswerSchema, 'POST', path, sent, sessionToken ? { sessionToken } : {}))
        .grant;
    },

    /** Trusted person: the grants naming their key, each with its terms checked against the owner's signature. */
    listGrantsForMe: (options: { trustedKey: UnlockedKey }): Promise<TrustedGrantList> =>
      listForMe(options.trustedKey),

    /** Trusted person: where one grant stands (poll it); `no_grant` when it does not name this key. */
    async grantStatus(options: { grantId: string; trustedKey: UnlockedKey }): Promise<TrustedGrantView> {
      const found = (await listForMe(options.trustedKey)).grants.find(
        (g) => g.terms.grantId === options.grantId,
      );
      if (!found) throw legacyError('no_grant', 'No grant with this id names your key.');
      return found;
    },

    /** Trusted person: asks for access; the owner is mailed, and access follows after the waiting period. */
    async requestAccess(options: { grantId: string; trustedKey: UnlockedKey }): Promise<TrustedGrantView> {
      const proof = await prove(options.trustedKey, { action: 'request', grantId: options.grantId });
      return (await call(trustedGrantAnswerSchema, 'POST', `/grants/${options.grantId}/request`, { proof }))
        .grant;
    },

    /**
     * Trusted person, once released: fetches the payload and opens it with their key, checking everything the
     * owner signed (open-release.ts). Pass `expectedOwnerFingerprint`, the key pinned for the owner, whenever there
     * is one. Returns the owner's key, unprotected, for the vault to import under a passphrase of the trusted
     * person's choosing.
     */
    async fetchReleasedKey(options: {
      grantId: string;
      trustedKey: UnlockedKey;
      expectedOwnerFingerprint?: string;
    }): Promise<ReleasedKey> {
      const proof = await prove(options.trustedKey, { action: 'fetch', grantId: options.grantId });
      const release = await call(releaseAnswerSchema, 'POST', `/grants/${options.grantId}/payload`, {
        proof,
      });
      if (release.terms.grantId !== options.grantId) {
        throw new KeywardError('invalid_input', 'The keyserver answered with another grant.');
      }
      return openRelease({
        release,
        trustedKey: options.trustedKey,
        expectedOwnerFingerprint:
          options.expectedOwnerFingerprint === undefined
            ? undefined
            : Fingerprint.parse(options.expectedOwnerFingerprint),
        now: deps.now(),
      });
    },
  };
}

export type LegacyClient = ReturnType<typeof createLegacyClient>;
