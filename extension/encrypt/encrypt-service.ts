import type { Clock } from '../../shared/clock';
import { hasReason, isKeywardError } from '../../shared/errors';
import { encryptFile } from '../../shared/openpgp';
import type { SiteRecipientsResolver } from '../contacts/site-recipients';
import type { AcceptorEnd } from '../messaging/channel';
import type { encryptChannel, EncryptReport, EncryptRequest } from '../messaging/encrypt-channel';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import { everyFewMegabytes, spoolStream } from '../platform/spool';
import { youLabel } from '../upload/upload-service';
import type { Vault } from '../vault/vault';

/**
 * "Encrypt a file": files the user chose in Keyward's own page, encrypted to their key and to groups and people
 * (signed), or with a password alone for someone without a key. Each result goes to a spool file (memory flat in
 * file size) and back to the page as `name.pgp`; if one file fails, none is handed back.
 */
export function createEncryptService({
  vault,
  recipients,
  clock,
  baseUrl,
}: {
  vault: Vault;
  recipients: SiteRecipientsResolver;
  clock: Clock;
  baseUrl: string;
}) {
  async function run(request: EncryptRequest, report: (r: EncryptReport) => void): Promise<EncryptReport> {
    let common: Pick<
      Parameters<typeof encryptFile>[0],
      'recipients' | 'passwords' | 'signingKey' | 'forGnuPG'
    >;
    let encryptedFor: string[];
    if (request.kind === 'with-password') {
      common = { recipients: [], passwords: [request.password] };
      encryptedFor = ['whoever has the password'];
    } else {
      const defaultKey = (await vault.status()).defaultKey;
      if (!defaultKey) return failed('Keyward has no key yet. Set one up in Keyward’s settings.');
      // The others' keys first: a missing, changed or revoked key stops before the user is asked to unlock.
      const theirs = await recipients.keysForUpload({ groups: request.groups, people: request.people });
      let signingKey;
      try {
        signingKey = (await vault.use(defaultKey.fingerprint)).key;
      } catch (error) {
        if (!hasReason(error, 'key_locked')) throw error;
        return { kind: 'locked', fingerprint: defaultKey.fingerprint, userId: defaultKey.userIds[0] ?? '' };
      }
      common = {
        recipients: [await vault.publicKey(defaultKey.fingerprint), ...theirs.map((k) => k.armored)],
        signingKey,
        forGnuPG: request.forGnuPG,
      };
      encryptedFor = [youLabel(defaultKey), ...theirs.map((k) => k.label)];
    }
    const out: File[] = [];
    const discards: (() => Promise<void>)[] = [];
    try {
      for (const file of request.files) {
        if (common.signingKey) await prepareStreamedHashes(); // the signature hashes the whole file
        const encrypted = await encryptFile({
          ...common,
          plaintext: file.stream(),
          plaintextLength: file.size,
          date: clock.now(),
          filename: file.name,
        });
        const spooled = await spoolStream(
          'download',
          encrypted.ciphertext,
          everyFewMegabytes((bytes) =>
            report({ kind: 'progress', file: file.name, done: Math.min(bytes, file.size), total: file.size }),
          ),
        );
        discards.push(spooled.discard);
        out.push(await spooled.finish(`${file.name}.pgp`, 'application/pgp-encrypted'));
      }
    } catch (error) {
      await Promise.all(discards.map((discard) => discard()));
      throw error;
    }
    return { kind: 'done', files: out, encryptedFor };
  }

  const isEncryptPage = (port: EncryptPage) =>
    port.sender?.url?.split(/[?#]/)[0] === `${baseUrl.replace(/\/?$/, '/')}encrypt.html`;

  return {
    /** One request per port, from Keyward's encrypt page only. */
    serve(port: EncryptPage): void {
      if (!isEncryptPage(port)) {
        port.disconnect();
        return;
      }
      port.onMessage((request) => {
        run(request, (r) => port.post(r)).then(
          (r) => port.post(r),
          (error: unknown) =>
            port.post(
              failed(
                isKeywardError(error)
                  ? `Nothing was encrypted: ${error.message}`
                  : 'Keyward could not encrypt these files; nothing was saved.',
              ),
            ),
        );
      });
    },
    /** A request the channel's schema refused: answered, nothing encrypted. */
    refuse(port: EncryptPage): void {
      if (isEncryptPage(port)) port.post(failed('Choose at least one file.'));
      port.disconnect();
    },
  };
}

type EncryptPage = AcceptorEnd<typeof encryptChannel>;

function failed(message: string): EncryptReport {
  return { kind: 'failed', message };
}
