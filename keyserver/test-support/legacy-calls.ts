import {
  makeGrantUpload,
  statementText,
  type GrantUpload,
  type Proof,
  type Statement,
} from '../../shared/legacy';
import { publicKeyOf, signText, type UnlockedKey } from '../../shared/openpgp';
import type { Clock } from '../../shared/clock';
import type { CaughtMail } from './mail-catcher';
import type { TestKey } from './test-keys';
import type { TestKeyserver } from './test-keyserver';

/**
 * Raw calls to the digital-legacy API for keyserver tests: the requests are built from shared/legacy's pieces (the
 * extension's client is tested against a real keyserver in tests/integration), so a test can send exactly the
 * statement, challenge or upload an attacker would.
 */

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function legacyCall(
  ks: Pick<TestKeyserver, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${ks.url}/legacy/v1${path}`, {
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

/** A fresh challenge and the keyserver's time. */
export async function challengeOf(
  ks: Pick<TestKeyserver, 'url'>,
): Promise<{ challenge: string; serverTime: number }> {
  const answer = await legacyCall(ks, 'POST', '/challenges', {});
  if (answer.status !== 201) throw new Error(`POST /challenges answered ${answer.status}`);
  return answer.body as { challenge: string; serverTime: number };
}

/** A statement signed by `signer` over a fresh challenge, with `signerKey` (default: the signer's public key). */
export async function proofBy(
  ks: Pick<TestKeyserver, 'url'>,
  signer: TestKey,
  statement: Omit<Statement, 'challenge'>,
  options: { signerKey?: string } = {},
): Promise<Proof> {
  const { challenge, serverTime } = await challengeOf(ks);
  return {
    challenge,
    signature: await signText({
      key: signer.privateArmored as UnlockedKey,
      text: statementText({ ...statement, challenge }),
      date: new Date(serverTime),
    }),
    signerKey: options.signerKey ?? (await publicKeyOf(signer.publicArmored)),
  };
}

export interface GrantParties {
  owner: TestKey;
  ownerAddress: string;
  trusted: TestKey;
  trustedAddress: string;
}

/** A version of a grant as the owner's device makes it, dated by the keyserver's clock. */
export function uploadOf(
  ks: { clock: Clock },
  p: GrantParties,
  options: { grantId: string; version?: number; waitingDays?: number },
): Promise<GrantUpload> {
  return makeGrantUpload({
    ownerKey: p.owner.privateArmored as UnlockedKey,
    ownerAddress: p.ownerAddress,
    trustedAddress: p.trustedAddress,
    trustedKey: p.trusted.publicArmored,
    waitingDays: options.waitingDays ?? 10,
    grantId: options.grantId,
    version: options.version ?? 1,
    date: ks.clock.now(),
  });
}

/** The plain text of a mail (quoted-printable undone, lines joined). */
export function textOf(mail: CaughtMail): string {
  return mail.raw
    .replace(/=\r?\n/g, '')
    .replace(/=3D/g, '=')
    .replace(/\r\n/g, '\n');
}

/** The legacy request page linked from an owner's mail. */
export function requestLinkIn(mail: CaughtMail): string {
  const match = /https?:\/\/\S+\/legacy\/requests\/[0-9a-f]{32}\/[0-9a-f]{32}/.exec(textOf(mail));
  if (!match) throw new Error(`no request link in mail:\n${textOf(mail).slice(0, 2000)}`);
  return match[0];
}

/** The subject line of a mail. */
export function subjectOf(mail: CaughtMail): string {
  return /^Subject: (.*)$/m.exec(mail.raw.replace(/\r\n[ \t]+/g, ' '))?.[1]?.trim() ?? '';
}
