import { z } from 'zod';
import { ESCROW_PROFILES, type EscrowProfile } from '../../shared/escrow/profiles';
import { fingerprintSchema } from '../../shared/identity';
import { defineChannel } from '../messaging/channel';
import { wireErrorSchema } from '../messaging/wire-error';
import { encryptJobResultSchema, encryptJobSchema, unlockedKeySchema } from '../upload/encrypt-job-channel';
import type { KeyWork } from './key-work';

const armored = z.string().max(4 * 1024 * 1024);
const passphrase = z.string().max(1024);
const url = z.string().max(2048);
const address = z.string().max(320);
const text = z.string().max(1000);

/**
 * Each KeyWork operation's arguments and result, as they cross to and from the offscreen document. The list of
 * operations is this object's keys: an operation missing here fails the typecheck, and the document runs nothing
 * else.
 */
export const keyWorkCalls = {
  generate: {
    args: z.tuple([
      z.strictObject({
        name: z.string().max(100),
        email: z.string().max(254),
        passphrase,
        version: z.union([z.literal(4), z.literal(6)]),
        date: z.number(),
      }),
    ]),
    result: z.strictObject({ locked: armored, unlocked: unlockedKeySchema }),
  },
  unlock: { args: z.tuple([armored, passphrase]), result: unlockedKeySchema },
  lock: { args: z.tuple([unlockedKeySchema, passphrase]), result: armored },
  exportForGnuPG: { args: z.tuple([armored, passphrase]), result: armored },
  escrowCreate: {
    args: z.tuple([
      url,
      z.strictObject({
        address,
        code: text,
        passphrase,
        key: unlockedKeySchema,
        fingerprint: z.string().max(80),
        profile: z.enum(Object.keys(ESCROW_PROFILES) as [EscrowProfile, ...EscrowProfile[]]).optional(),
      }),
    ]),
    result: z.strictObject({ recoveryPhrase: text, deviceToken: text }),
  },
  escrowRestore: {
    args: z.tuple([
      url,
      z.strictObject({ address, passphrase, code: text.optional(), deviceToken: text.optional() }),
    ]),
    result: z.strictObject({
      key: unlockedKeySchema,
      deviceToken: text.optional(),
      fingerprint: fingerprintSchema,
    }),
  },
  escrowRecover: {
    args: z.tuple([
      url,
      z.strictObject({ address, recoveryPhrase: text, code: text, newPassphrase: passphrase }),
    ]),
    result: z.strictObject({
      key: unlockedKeySchema,
      recoveryPhrase: text,
      deviceToken: text,
      fingerprint: fingerprintSchema,
    }),
  },
  escrowChangePassphrase: {
    args: z.tuple([
      url,
      z.strictObject({ address, oldPassphrase: passphrase, newPassphrase: passphrase, deviceToken: text }),
    ]),
    result: z.undefined(),
  },
  escrowDelete: {
    args: z.tuple([url, z.strictObject({ address, passphrase })]),
    result: z.undefined(),
  },
  encryptToSpool: { args: z.tuple([encryptJobSchema]), result: encryptJobResultSchema },
} satisfies { readonly [Op in keyof KeyWork]: { readonly args: z.ZodType; readonly result: z.ZodType } };

export type KeyWorkOp = keyof typeof keyWorkCalls;
export const KEY_WORK_OPS = Object.keys(keyWorkCalls) as KeyWorkOp[];

const id = z.number().int().nonnegative();
const callSchemas = KEY_WORK_OPS.map((op) =>
  z.strictObject({ id, op: z.literal(op), args: keyWorkCalls[op].args }),
);

/**
 * The port between the background and the offscreen document that runs KeyWork (Chromium only). The document
 * opens it; the background sends calls on it and the document answers them.
 */
export const keyWorkChannel = defineChannel({
  name: 'keyward-key-work',
  fromOpener: z.union([
    z.strictObject({ id, ok: z.literal(true), value: z.unknown().optional() }),
    /** Not an answer yet: progress of a long operation (encryptToSpool: ciphertext bytes so far). */
    z.strictObject({ id, progress: z.number().nonnegative() }),
    z.strictObject({ id, ok: z.literal(false), error: wireErrorSchema }),
  ]),
  fromAcceptor: z.union([
    ...(callSchemas as unknown as [(typeof callSchemas)[number], ...(typeof callSchemas)[number][]]),
    /** Stop call `id` if it can be stopped (encryptToSpool); it still answers, with an error, once it has stopped. */
    z.strictObject({ id, cancel: z.literal(true) }),
  ]),
});

export type KeyWorkCall = z.output<typeof keyWorkChannel.fromAcceptor>;
export type KeyWorkAnswer = z.input<typeof keyWorkChannel.fromOpener>;
