import type { Context } from 'koa';
import type { FoundKey } from './lookup';

export function sendKeyArmored(ctx: Context, key: FoundKey): void {
  ctx.type = 'application/pgp-keys';
  ctx.set('Content-Disposition', `attachment; filename="${key.fingerprint}.asc"`);
  ctx.body = key.armoredBytes;
}

/** WKD wants the binary key (draft-koch-openpgp-webkey-service §3.1). */
export function sendKeyBinary(ctx: Context, key: FoundKey): void {
  ctx.type = 'application/octet-stream';
  ctx.body = Buffer.from(key.packets);
}
