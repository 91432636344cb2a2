import { z } from 'zod';
import { defineChannel } from './channel';

export const NOTICE_STATES = ['working', 'done', 'failed', 'stopped'] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];

/**
 * The port Keyward's in-page notice (notice.html, an extension page the content script frames inside the page)
 * opens to the background. The page can neither read that frame nor talk to this port, so the notice may carry
 * the security phrase and who a file was encrypted for.
 */
export const noticeChannel = defineChannel({
  name: 'keyward-notice',
  /** The notice frame introduces itself with the id from its URL. */
  fromOpener: z.strictObject({ kind: z.literal('hello'), id: z.string().max(100) }),
  fromAcceptor: z.strictObject({
    kind: z.literal('notice'),
    state: z.enum(NOTICE_STATES),
    text: z.string().max(10_000),
    /** 0..1 while working. */
    fraction: z.number().min(0).max(1).optional(),
    securityPhrase: z.string().max(64),
  }),
});

export type NoticeContent = z.input<typeof noticeChannel.fromAcceptor>;
