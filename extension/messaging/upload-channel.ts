import { z } from 'zod';
import { defineChannel } from './channel';
import { fileSchema, MAX_FILES } from './file-schema';

/**
 * Where files came from: a picker Keyward opened (`pick`), a file input the browser filled itself (`input`), a drop,
 * a paste. All are the user's own actions; a paste is encrypted but not signed, since the clipboard may hold what
 * the page itself wrote there.
 */
export const UPLOAD_SOURCES = ['pick', 'input', 'drop', 'paste'] as const;
export type UploadSource = (typeof UPLOAD_SOURCES)[number];

/** Why the content script asks for a notice of its own. */
export const NOTICE_REASONS = ['stopped-rewrite', 'frame-off', 'cannot-protect'] as const;
export type NoticeReason = (typeof NOTICE_REASONS)[number];

const uploadRequest = z.discriminatedUnion('kind', [
  /** Encrypt these files, which the user handed to the page (a pick, drop or paste Keyward took). */
  z.strictObject({
    kind: z.literal('encrypt'),
    files: z.array(fileSchema).max(MAX_FILES),
    source: z.enum(UPLOAD_SOURCES),
  }),
  /** How uploads work on this site (asked once when the content script starts). */
  z.strictObject({ kind: z.literal('mode') }),
  /** Keyward's own picker window instead of the browser's; the answer holds only ciphertext. */
  z.strictObject({
    kind: z.literal('pick'),
    multiple: z.boolean(),
    accept: z.string().max(100_000),
    directory: z.boolean(),
  }),
  /** Show the user a notice: the content script did something they must know about. */
  z.strictObject({ kind: z.literal('notice'), reason: z.enum(NOTICE_REASONS) }),
  /** The user clicked a link that opens a new tab, which the page itself no longer may (a gesture's activation). */
  z.strictObject({ kind: z.literal('open-link'), url: z.string().max(16_384), active: z.boolean() }),
]);

// Strict objects without any text: the schema itself keeps the security phrase and recipients' names (which go
// to the notice frame only, ./notice-channel.ts) from ever reaching the content script, whatever the code posts.
const uploadReport = z.discriminatedUnion('kind', [
  /** Sent first: the notice frame (notice.html#id) to show in the page for this request. */
  z.strictObject({ kind: z.literal('notice'), id: z.string().min(1).max(100) }),
  z.strictObject({ kind: z.literal('progress'), fraction: z.number().min(0).max(1) }),
  z.strictObject({ kind: z.literal('done'), files: z.array(fileSchema).max(MAX_FILES) }),
  /** This frame's site is not opted in (match patterns cannot tell ports apart): Keyward stands aside. */
  z.strictObject({ kind: z.literal('passthrough') }),
  z.strictObject({ kind: z.literal('mode'), strict: z.boolean() }),
  /** The user closed Keyward's picker without choosing. */
  z.strictObject({ kind: z.literal('cancelled') }),
  /** Nothing was uploaded; the notice says why. */
  z.strictObject({ kind: z.literal('failed') }),
  z.strictObject({ kind: z.literal('opened') }),
]);

/**
 * The port a content script opens to have files encrypted for its site, one request per port: progress reports
 * and then a result. Files cross by structured clone, both ways.
 */
export const uploadChannel = defineChannel({
  name: 'keyward-upload',
  fromOpener: uploadRequest,
  fromAcceptor: uploadReport,
});

export type UploadRequest = z.input<typeof uploadRequest>;
export type UploadReport = z.input<typeof uploadReport>;
