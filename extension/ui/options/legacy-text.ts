import type { LegacyGrantState, OwnerGrantItem, TrustedGrantItem } from '../../model';
import { formatDate, formatTime } from '../format';

/** "3 June 2026, 14:32": when access opens is worth the hour too. */
export function dateAndTime(epochMs: number, locale?: string): string {
  return `${formatDate(epochMs, locale)}, ${formatTime(epochMs, locale)}`;
}

const STATE_LABEL: Record<LegacyGrantState, string> = {
  waiting: 'Not asked',
  requested: 'Access requested',
  released: 'Access given',
  revoked: 'Revoked',
  refused: 'Refused',
};

export function stateLabel(state: LegacyGrantState): string {
  return STATE_LABEL[state];
}

/** What the owner reads about one grant's state. */
export function ownerStateText(g: OwnerGrantItem, locale?: string): string {
  const r = g.request;
  switch (g.state) {
    case 'waiting':
      return `${g.trustedAddress} has not asked for access.`;
    case 'requested':
      return (
        `${g.trustedAddress} asked for access on ${dateAndTime(r!.requestedAt, locale)}. They get your key on ` +
        `${dateAndTime(r!.releaseAt, locale)} unless you refuse before then.`
      );
    case 'released':
      return (
        `${g.trustedAddress} was given access on ${dateAndTime(r!.endedAt ?? r!.releaseAt, locale)}. A released key ` +
        'cannot be taken back: if you did not expect this, make a new key and revoke this grant.'
      );
    case 'refused':
      return `You refused the request of ${dateAndTime(r!.requestedAt, locale)}. They can ask again a week after your refusal.`;
    case 'revoked':
      return 'You revoked this grant: the keyserver erased what it held for them.';
  }
}

/** What the trusted person reads about one grant's state. */
export function trustedStateText(g: TrustedGrantItem, locale?: string): string {
  const r = g.request;
  switch (g.state) {
    case 'waiting':
      return `You have not asked for access. If you ask, ${g.ownerAddress} is mailed at once and can refuse within ${daysText(g.waitingDays)}.`;
    case 'requested':
      return `You asked on ${dateAndTime(r!.requestedAt, locale)}. Unless ${g.ownerAddress} refuses, access opens on ${dateAndTime(r!.releaseAt, locale)}.`;
    case 'released':
      return g.imported
        ? `Access was given. ${g.ownerAddress}'s key is among your keys: their files decrypt in Keyward now.`
        : `Access was given on ${dateAndTime(r!.endedAt ?? r!.releaseAt, locale)}. Import ${g.ownerAddress}'s key to open their files.`;
    case 'refused':
      return g.nextRequestAt === null
        ? `${g.ownerAddress} refused your last request. You can ask again.`
        : `${g.ownerAddress} refused your last request. You can ask again from ${dateAndTime(g.nextRequestAt, locale)}.`;
    case 'revoked':
      return `${g.ownerAddress} withdrew this grant.`;
  }
}

export function daysText(days: number): string {
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** A number of whole days from 1 to 90, or what is wrong with the text typed. */
export function parseWaitingDays(text: string): { days: number } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'Enter a waiting period of 1 to 90 days.' };
  const days = Number(trimmed);
  if (!Number.isInteger(days)) return { problem: 'The waiting period is a whole number of days.' };
  if (days < 1 || days > 90) return { problem: 'The waiting period is 1 to 90 days.' };
  return { days };
}
