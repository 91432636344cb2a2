import type { Email } from '../identity';
import { lines } from './grant-terms';

/**
 * What a proof says (docs/legacy.md, "Asking for access"): the owner's actions (list their grants, revoke, refuse)
 * and the trusted person's (list the grants naming their key, ask for access, fetch a released payload).
 */
export const STATEMENT_ACTIONS = [
  'list-owned',
  'revoke',
  'refuse',
  'list-trusted',
  'request',
  'fetch',
] as const;
export type StatementAction = (typeof STATEMENT_ACTIONS)[number];

export interface Statement {
  action: StatementAction;
  /** The grant acted on, for every action but the two lists. */
  grantId?: string | undefined;
  /** The request refused (`refuse` only): a refusal never carries over to a later request. */
  requestId?: string | undefined;
  /** The owner whose grants are listed (`list-owned` only). */
  ownerAddress?: Email | undefined;
  /** The keyserver's single-use challenge: the statement counts once, and only on the server that issued it. */
  challenge: string;
}

/** The exact text a proof signs; both sides build it from the fields. */
export function statementText(s: Statement): string {
  return lines([
    'Keyward digital legacy statement',
    `action: ${s.action}`,
    `grant: ${s.grantId ?? '-'}`,
    `request: ${s.requestId ?? '-'}`,
    `owner: ${s.ownerAddress ?? '-'}`,
    `challenge: ${s.challenge}`,
  ]);
}
