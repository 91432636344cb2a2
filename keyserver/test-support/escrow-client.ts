import * as opaque from '@serenity-kit/opaque';
import type { CaughtMail } from './mail-catcher';
import type { TestKeyserver } from './test-keyserver';

/**
 * A minimal escrow client for keyserver tests: @serenity-kit/opaque's client functions called directly (the
 * extension's own client is tested on its side). Key stretching is cheap here; the server does not depend on it.
 */
export const CHEAP_STRETCHING = {
  'argon2id-custom': { iterations: 1, memory: 1024, parallelism: 1 },
} as const;
export const FINGERPRINT = 'AB'.repeat(32);
export const ESCROW = '-----BEGIN PGP MESSAGE-----\n\nwy4GBwMIescrow\n-----END PGP MESSAGE-----\n';
export const VERIFIER = 'v'.repeat(43);

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function call(
  ks: Pick<TestKeyserver, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${ks.url}/escrow/v1${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

export const bearer = (token: unknown) => ({ authorization: `Bearer ${String(token)}` });

/** The 8-digit code in a mail (shown as two groups of four). */
export function codeIn(mail: CaughtMail): string {
  const match = /^ {2}(\d{4}) (\d{4})\r?$/m.exec(mail.raw);
  if (!match) throw new Error(`no code in mail:\n${mail.raw.slice(0, 1500)}`);
  return `${match[1]}${match[2]}`;
}

/** Asks for a code and returns it from the mail that follows. */
export async function mailedCode(ks: TestKeyserver, address: string, purpose: string): Promise<string> {
  const to = address.toLowerCase(); // mail goes to the normalised address
  const before = ks.mail.countTo(to);
  const answer = await call(ks, 'POST', '/codes', { address, purpose });
  if (answer.status !== 202) throw new Error(`POST /codes answered ${answer.status}`);
  return codeIn(await ks.mail.next(to, 5000, before));
}

export async function registration(ks: Pick<TestKeyserver, 'url'>, address: string, passphrase: string) {
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({
    password: passphrase,
  });
  const start = await call(ks, 'POST', '/register/start', { address, registrationRequest });
  if (start.status !== 200) throw new Error(`register/start answered ${start.status}`);
  return opaque.client.finishRegistration({
    clientRegistrationState,
    registrationResponse: String(start.body.registrationResponse),
    password: passphrase,
    keyStretching: CHEAP_STRETCHING,
  });
}

/** An escrow account for `address`; `fingerprint`: the key it claims to back up (default FINGERPRINT). */
export async function register(
  ks: TestKeyserver,
  address: string,
  passphrase: string,
  fingerprint = FINGERPRINT,
) {
  const code = await mailedCode(ks, address, 'register');
  const { registrationRecord, exportKey } = await registration(ks, address, passphrase);
  const created = await call(ks, 'POST', '/accounts', {
    address,
    code,
    registrationRecord,
    profile: 'argon2id-64m',
    fingerprint,
    escrow: ESCROW,
    recoveryVerifier: VERIFIER,
  });
  if (created.status !== 201)
    throw new Error(`POST /accounts answered ${created.status} ${JSON.stringify(created.body)}`);
  return { deviceToken: String(created.body.deviceToken), exportKey, registrationRecord };
}

/** An OPAQUE login; `finished` is false when the client itself rejected the server's answer (wrong passphrase). */
export async function login(ks: Pick<TestKeyserver, 'url'>, address: string, passphrase: string) {
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: passphrase });
  const start = await call(ks, 'POST', '/login/start', { address, startLoginRequest });
  if (start.status !== 200) return { start, finished: false as const };
  const result = opaque.client.finishLogin({
    clientLoginState,
    loginResponse: String(start.body.loginResponse),
    password: passphrase,
    keyStretching: CHEAP_STRETCHING,
  });
  if (!result) return { start, finished: false as const };
  const finish = await call(ks, 'POST', '/login/finish', {
    loginId: start.body.loginId,
    finishLoginRequest: result.finishLoginRequest,
  });
  return {
    start,
    finished: true as const,
    finish,
    exportKey: result.exportKey,
    sessionToken: finish.body.sessionToken,
  };
}
