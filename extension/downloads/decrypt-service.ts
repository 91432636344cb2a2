import type { Clock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import { decryptFile, inspectMessage } from '../../shared/openpgp';
import type { DecryptReport, DecryptRequest } from '../messaging/decrypt-port';
import type { MessagePort } from '../platform/ports';
import { spoolStream } from '../platform/spool';
import type { Vault } from '../vault/vault';

const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Decrypts a file for one of Keyward's own pages (the decrypt page). Only authenticated plaintext leaves: the
 * result is handed over only once the whole stream closed cleanly, so a truncated or tampered file yields an error
 * and no file, never a partial plaintext.
 */
export function createDecryptService({
  vault,
  clock,
  baseUrl,
}: {
  vault: Vault;
  clock: Clock;
  baseUrl: string;
}) {
  async function run(file: File, report: (r: DecryptReport) => void): Promise<DecryptReport> {
    let info: Awaited<ReturnType<typeof inspectMessage>>;
    try {
      info = await inspectMessage(file.stream());
    } catch (error) {
      if (isKeywardError(error, 'invalid_input') && error.details.notEncrypted === 1) {
        return notForMe('This is not an encrypted OpenPGP file.');
      }
      throw error;
    }
    if (info.encryption === null) return notForMe('This is not an encrypted OpenPGP file.');
    const mine = await vault.keyIds();
    const wanted = new Set(info.recipients.map((r) => r.keyId as string));
    const keys = (await vault.list()).filter((k) => mine[k.fingerprint]?.some((id) => wanted.has(id)));
    if (keys.length === 0 && info.hiddenRecipients === 0) {
      const ids = info.recipients.map((r) => r.keyId).join(', ') || 'nobody';
      return notForMe(`This file is not encrypted to any of your keys (it is for key ${ids}).`);
    }
    const candidates = keys.length > 0 ? keys : await vault.list();
    const unlocked = candidates.find((k) => k.unlocked);
    if (!unlocked) {
      const key = candidates[0]!;
      return { kind: 'locked', fingerprint: key.fingerprint, userId: key.userIds[0] ?? key.fingerprint };
    }
    const { key } = await vault.use(unlocked.fingerprint);
    const all = await vault.list();
    const verificationKeys = await Promise.all(all.map((k) => vault.publicKey(k.fingerprint)));
    const decrypted = await decryptFile({
      ciphertext: file.stream(),
      keys: [key],
      date: clock.now(),
      verificationKeys,
    });
    // Into a spool file (memory flat in file size); handed over only if the stream closed cleanly, else deleted.
    let reported = 0;
    const spooled = await spoolStream('download', decrypted.plaintext, (bytes) => {
      if (bytes - reported < PROGRESS_EVERY_BYTES) return;
      reported = bytes;
      report({ kind: 'progress', done: Math.min(bytes, file.size), total: file.size });
    });
    const name = safeName(decrypted.filename) ?? file.name.replace(/\.(pgp|gpg|asc)$/i, '') ?? 'decrypted';
    const signatures = await decrypted.signatures;
    return {
      kind: 'done',
      signature: describeSignatures(signatures, mine, all),
      file: await spooled.finish(name),
      decryptedWith: unlocked.userIds[0] ?? unlocked.fingerprint,
      encryption: decrypted.encryption ?? 'unknown',
    };
  }

  return function serve(port: MessagePort): void {
    if (!port.sender?.url?.startsWith(baseUrl)) {
      port.disconnect();
      return;
    }
    port.onMessage((message) => {
      const { file } = message as DecryptRequest;
      const answer =
        file instanceof File ? run(file, (r) => port.post(r)) : Promise.resolve(failed('No file.'));
      answer.then(
        (report) => port.post(report),
        (error: unknown) =>
          port.post(
            failed(
              isKeywardError(error)
                ? `Nothing was decrypted: ${error.message}`
                : 'Keyward could not decrypt this file; nothing was saved.',
            ),
          ),
      );
    });
  };
}

function describeSignatures(
  signatures: readonly { keyId: string; valid: boolean }[],
  mine: Record<string, readonly string[]>,
  keys: readonly { fingerprint: string; userIds: readonly string[] }[],
): string {
  if (signatures.length === 0) return 'not signed';
  return signatures
    .map(({ keyId, valid }) => {
      const key = keys.find((k) => mine[k.fingerprint]?.includes(keyId));
      if (valid && key) return `signed by ${key.userIds[0] ?? key.fingerprint}`;
      return valid
        ? `signed by key ${keyId}`
        : `signed by a key Keyward does not know (${keyId}), not checked`;
    })
    .join('; ');
}

function notForMe(message: string): DecryptReport {
  return { kind: 'not-for-me', message };
}

function failed(message: string): DecryptReport {
  return { kind: 'failed', message };
}

/** The name stored inside the file is chosen by whoever encrypted it: keep only a plain file name. */
function safeName(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const controls = /[\u0000-\u001f\u007f]/g;
  const base = name.split(/[\\/]/).pop()?.replace(controls, '').trim();
  return base && base !== '.' && base !== '..' ? base : undefined;
}
