import * as opaque from '@serenity-kit/opaque';
import type { z } from 'zod';
import { KeywardError } from '../errors';
import { errorAnswerSchema } from '../error-answer';
import type { UnlockedKey } from '../openpgp';
import {
  type CodePurpose,
  escrowAnswers,
  escrowError,
  type EscrowReason,
  isEscrowReason,
} from './escrow-api';
import { makeEscrow, openEscrow, replacePassphrasePacket } from './escrow-message';
import {
  checkProfile,
  DEFAULT_ESCROW_PROFILE,
  stretchingOf,
  type EscrowProfile,
  type KeyStretching,
} from './profiles';
import { newRecoveryPhrase, normalizeRecoveryPhrase } from './recovery-code';
import { passphraseSecret, recoveryVerifier } from './secrets';

export interface EscrowClientDeps {
  readonly fetch: typeof fetch;
  /** The keyserver's base URL, e.g. https://keys.example.org (no trailing slash). */
  readonly baseUrl: string;
  readonly now: () => Date;
  /** Tests only: a cheaper Argon2 for a profile (the server never sees it; the client's export key does). */
  readonly stretching?: (profile: EscrowProfile) => KeyStretching;
  readonly timeoutMs?: number;
}

/** What the keyserver answered, as the client acts on it. */
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly retryAfter: number;
}

/**
 * The client of the keyserver's escrow API (docs/escrow.md): OPAQUE registration and login (@serenity-kit/opaque;
 * the passphrase never leaves), the escrow made and opened here (escrow-message.ts), recovery codes, passphrase
 * change. Every failure is a KeywardError a page can show as it is.
 */
export function createEscrowClient(deps: EscrowClientDeps) {
  const stretch = deps.stretching ?? stretchingOf;
  const timeoutMs = deps.timeoutMs ?? 30_000;

  async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
    let response: Response;
    try {
      response = await deps.fetch(`${deps.baseUrl}/escrow/v1${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
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
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    const said = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      body: parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {},
      retryAfter: Number.isFinite(said) && said > 0 ? Math.ceil(said) : 60,
    };
  }

  /** The keyserver's refusal as a KeywardError with the escrow reason, in words for the user. */
  function failure(answer: Answer, what: string): KeywardError {
    const said = errorAnswerSchema.safeParse(answer.body);
    const minutes = Math.max(1, Math.ceil(answer.retryAfter / 60));
    const inMinutes = `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
    const reason = said.success && isEscrowReason(said.data.reason) ? said.data.reason : undefined;
    const texts: Record<EscrowReason, string> = {
      login_failed: 'Wrong passphrase for this address, or no key is escrowed for it.',
      recovery_failed:
        'The recovery code or the mailed code is wrong, or no key is escrowed for this address.',
      unauthorized: 'The keyserver session ended. Try again.',
      code_required: 'This device needs the code mailed to you.',
      code_invalid: 'The mailed code is wrong or expired. Ask for a new one.',
      account_exists: 'A key is already escrowed for this address.',
      stale: 'The escrow changed meanwhile (another device?). Try again.',
      slot_taken: 'This hand-over code was used already. Start a new hand-over.',
      locked: `Too many attempts for this address. ${inMinutes}`,
    };
    const retry = { retryAfterSeconds: answer.retryAfter };
    if (reason !== undefined) {
      return escrowError(reason, texts[reason], reason === 'locked' ? answer.retryAfter : undefined);
    }
    if (answer.status === 429 || (said.success && said.data.code === 'rate_limited')) {
      return new KeywardError('rate_limited', `The keyserver is limiting requests. ${inMinutes}`, retry);
    }
    if (answer.status >= 500 || answer.status === 0) {
      return new KeywardError('unavailable', `The keyserver failed while ${what} (HTTP ${answer.status}).`);
    }
    const message = said.success ? said.data.error.slice(0, 300) : '';
    return new KeywardError(
      'invalid_input',
      `The keyserver refused ${what}${message ? `: ${message}` : '.'}`,
    );
  }

  /** An answer's body as its schema in escrow-api.ts reads it; anything else is an unreadable answer. */
  function read<S extends z.ZodType>(answer: Answer, schema: S): z.output<S> {
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) {
      throw new KeywardError('unavailable', `The keyserver at ${deps.baseUrl} sent an unreadable answer.`);
    }
    return parsed.data;
  }

  async function register(address: string, passphrase: string, profile: EscrowProfile) {
    await opaque.ready;
    const start = opaque.client.startRegistration({ password: passphrase });
    const answer = await call('POST', '/register/start', {
      address,
      registrationRequest: start.registrationRequest,
    });
    if (answer.status !== 200) throw failure(answer, 'the registration');
    const { registrationResponse } = read(answer, escrowAnswers.registerStart);
    const finished = opaque.client.finishRegistration({
      clientRegistrationState: start.clientRegistrationState,
      registrationResponse,
      password: passphrase,
      keyStretching: stretch(profile),
    });
    return { registrationRecord: finished.registrationRecord, secret: passphraseSecret(finished.exportKey) };
  }

  async function login(address: string, passphrase: string) {
    await opaque.ready;
    const start = opaque.client.startLogin({ password: passphrase });
    const answer = await call('POST', '/login/start', {
      address,
      startLoginRequest: start.startLoginRequest,
    });
    if (answer.status !== 200) throw failure(answer, 'the login');
    const started = read(answer, escrowAnswers.loginStart);
    const profile = checkProfile(started.profile);
    const finished = opaque.client.finishLogin({
      clientLoginState: start.clientLoginState,
      loginResponse: started.loginResponse,
      password: passphrase,
      keyStretching: stretch(profile),
    });
    // A wrong passphrase fails here, on the client: the server never learns the guess.
    if (!finished) {
      throw failure(
        { status: 401, body: { error: '', code: 'forbidden', reason: 'login_failed' }, retryAfter: 0 },
        'the login',
      );
    }
    const done = await call('POST', '/login/finish', {
      loginId: started.loginId,
      finishLoginRequest: finished.finishLoginRequest,
    });
    if (done.status !== 200) throw failure(done, 'the login');
    return {
      session: read(done, escrowAnswers.loginFinish).sessionToken,
      secret: passphraseSecret(finished.exportKey),
      profile,
    };
  }

  async function fetchEscrow(session: string, proof: { deviceToken?: string; code?: string }) {
    const answer = await call('POST', '/escrow/fetch', proof, session);
    if (answer.status !== 200) throw failure(answer, 'handing out the escrow');
    const release = read(answer, escrowAnswers.fetch);
    return { ...release, deviceToken: release.deviceToken ?? proof.deviceToken };
  }

  return {
    /** Mails a one-time code (always "sent", known address or not). */
    async requestCode(address: string, purpose: CodePurpose): Promise<void> {
      const answer = await call('POST', '/codes', { address, purpose });
      if (answer.status !== 202) throw failure(answer, 'sending the code');
    },

    /**
     * Escrows a key: OPAQUE registration with the passphrase, the escrow with a fresh recovery code, uploaded
     * with the mailed "register" code. Returns the recovery code (show it once) and this device's token.
     */
    async createAccount(options: {
      address: string;
      code: string;
      passphrase: string;
      key: UnlockedKey;
      fingerprint: string;
      profile?: EscrowProfile;
    }) {
      const profile = options.profile ?? DEFAULT_ESCROW_PROFILE;
      const { registrationRecord, secret } = await register(options.address, options.passphrase, profile);
      const recoveryPhrase = newRecoveryPhrase();
      const escrow = await makeEscrow({
        key: options.key,
        passphraseSecret: secret,
        recoveryPhrase,
        date: deps.now(),
      });
      const answer = await call('POST', '/accounts', {
        address: options.address,
        code: options.code.replace(/\s+/g, ''),
        registrationRecord,
        profile,
        fingerprint: options.fingerprint,
        escrow,
        recoveryVerifier: recoveryVerifier(recoveryPhrase),
      });
      if (answer.status !== 201) throw failure(answer, 'storing the escrow');
      return { recoveryPhrase, deviceToken: read(answer, escrowAnswers.createAccount).deviceToken };
    },

    /**
     * The key back on a device, with the address and passphrase; a device that never held it also needs the
     * mailed "release" code (without it: forbidden, reason `code_required`).
     */
    async restoreWithPassphrase(options: {
      address: string;
      passphrase: string;
      code?: string;
      deviceToken?: string;
    }) {
      const { session, secret } = await login(options.address, options.passphrase);
      const fetched = await fetchEscrow(session, {
        ...(options.deviceToken ? { deviceToken: options.deviceToken } : {}),
        ...(options.code ? { code: options.code.replace(/\s+/g, '') } : {}),
      });
      return {
        key: await openEscrow(fetched.escrow, secret),
        deviceToken: fetched.deviceToken,
        fingerprint: fetched.fingerprint,
      };
    },

    /**
     * The key back with the recovery code and a mailed "recover" code; then, at once, a new passphrase and a new
     * recovery code (the old one is retired). Returns the key and the new recovery code.
     */
    async recover(options: { address: string; recoveryPhrase: string; code: string; newPassphrase: string }) {
      const phrase = normalizeRecoveryPhrase(options.recoveryPhrase);
      const answer = await call('POST', '/recover', {
        address: options.address,
        recoveryAuth: recoveryVerifier(phrase),
        code: options.code.replace(/\s+/g, ''),
      });
      if (answer.status !== 200) throw failure(answer, 'the recovery');
      const release = read(answer, escrowAnswers.recover);
      const key = await openEscrow(release.escrow, phrase);
      const profile = checkProfile(release.profile);
      const { registrationRecord, secret } = await register(options.address, options.newPassphrase, profile);
      const recoveryPhrase = newRecoveryPhrase();
      const escrow = await makeEscrow({ key, passphraseSecret: secret, recoveryPhrase, date: deps.now() });
      const put = await call(
        'PUT',
        '/escrow',
        {
          expectedVersion: release.version,
          escrow,
          registrationRecord,
          profile,
          recoveryVerifier: recoveryVerifier(recoveryPhrase),
        },
        release.recoveryToken,
      );
      if (put.status !== 200) throw failure(put, 'storing the new escrow');
      return {
        key,
        recoveryPhrase,
        deviceToken: release.deviceToken,
        fingerprint: release.fingerprint,
      };
    },

    /**
     * A short-lived session (5 minutes) of the key backup for `address`, from its passphrase, for what the keyserver
     * accepts from a logged-in owner without their key: digital legacy's refusals, revocations and lists
     * (shared/legacy, `{ sessionToken }`). A wrong passphrase fails here, as for a restore.
     */
    async startSession(options: { address: string; passphrase: string }): Promise<string> {
      return (await login(options.address, options.passphrase)).session;
    },

    /** Writes one slot of a hand-over channel on the relay (single use; the relay keeps it 10 minutes). */
    async relayPut(channel: string, slot: 'offer' | 'reply', payload: string): Promise<void> {
      const answer = await call('POST', `/relay/${channel}/${slot}`, { payload });
      if (answer.status === 409) {
        throw new KeywardError('conflict', 'This hand-over code was used already. Start a new hand-over.');
      }
      if (answer.status !== 201) throw failure(answer, 'the hand-over');
    },

    /** Picks up one slot (the relay deletes it); null while nothing is there. */
    async relayGet(channel: string, slot: 'offer' | 'reply'): Promise<string | null> {
      const answer = await call('GET', `/relay/${channel}/${slot}`);
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw failure(answer, 'the hand-over');
      return read(answer, escrowAnswers.relayGet).payload;
    },

    /**
     * A passphrase change: only the escrow's passphrase packet and the OPAQUE registration change; the old
     * passphrase stops working, the recovery code and every file stay as they are.
     */
    async changePassphrase(options: {
      address: string;
      oldPassphrase: string;
      newPassphrase: string;
      deviceToken: string;
    }): Promise<void> {
      const { session, secret, profile } = await login(options.address, options.oldPassphrase);
      const fetched = await fetchEscrow(session, { deviceToken: options.deviceToken });
      const next = await register(options.address, options.newPassphrase, profile);
      const escrow = await replacePassphrasePacket(fetched.escrow, secret, next.secret);
      const put = await call(
        'PUT',
        '/escrow',
        { expectedVersion: fetched.version, escrow, registrationRecord: next.registrationRecord, profile },
        session,
      );
      if (put.status !== 200) throw failure(put, 'storing the new escrow');
    },

    /**
     * Opting out later (docs/escrow.md, "The client"): after a login with the passphrase, the keyserver deletes the
     * account and its escrow. Neither the passphrase nor the recovery code opens anything there afterwards; the key
     * on this device is untouched.
     */
    async deleteAccount(options: { address: string; passphrase: string }): Promise<void> {
      const { session } = await login(options.address, options.passphrase);
      const answer = await call('DELETE', '/escrow', undefined, session);
      if (answer.status !== 204) throw failure(answer, 'removing the escrow');
    },
  };
}

export type EscrowClient = ReturnType<typeof createEscrowClient>;
