import type { Context } from 'koa';
import { KeywardError, invalidInput } from '../../shared/errors';

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit is refused before reading;
 * a body that grows past it is cut off with `too_large`. No body parser library: three content types are enough.
 */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const tooLarge = () => new KeywardError('too_large', `The request body is larger than ${limit} bytes.`);
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.req.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON object body. */
export async function readJson(ctx: Context, limit: number): Promise<Record<string, unknown>> {
  if (!ctx.is('application/json', '+json')) throw invalidInput('Send the request as application/json.');
  const text = (await readBody(ctx, limit)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidInput('The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** Parses an application/x-www-form-urlencoded body (HTML forms, GnuPG's /pks/add). */
export async function readForm(ctx: Context, limit: number): Promise<URLSearchParams> {
  const body = await readBody(ctx, limit);
  return new URLSearchParams(body.toString('utf8'));
}
