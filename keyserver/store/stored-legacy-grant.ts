import { z } from 'zod';
import { grantTermsSchema, REQUEST_STATES } from '../../shared/legacy';
import type { AccessRequest, LegacyGrant, Notice } from './legacy-ports';

/**
 * A grant's parts as the adapters keep them (JSON text in SQLite, subdocuments in MongoDB), parsed back into value
 * types on the way out: stored data crosses a boundary like any other input.
 */
const time = z.number().int();
const accessRequest = z.object({
  id: z.string(),
  grantVersion: z.number().int(),
  requestedAt: time,
  remindAt: time,
  releaseAt: time,
  remindedAt: time.nullable(),
  state: z.enum(REQUEST_STATES),
  endedAt: time.nullable(),
}) satisfies z.ZodType<AccessRequest>;
const notice = z.object({
  id: z.string(),
  kind: z.enum(['requested', 'reminder', 'released', 'released-owner', 'refused', 'cancelled']),
  requestId: z.string(),
  releaseAt: time,
  at: time,
}) satisfies z.ZodType<Notice>;

export const storedLegacyGrant = z.object({
  id: z.string(),
  revision: z.number().int(),
  terms: grantTermsSchema,
  termsSignature: z.string(),
  ownerKey: z.string(),
  trustedKey: z.string(),
  payload: z.string().nullable(),
  createdAt: time,
  updatedAt: time,
  revokedAt: time.nullable(),
  request: accessRequest.nullable(),
  notices: z.array(notice),
  dueAt: time.nullable(),
}) satisfies z.ZodType<LegacyGrant, unknown>;
