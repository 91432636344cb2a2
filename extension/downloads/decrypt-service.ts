import type { Clock } from '../../shared/clock';
import { safeFileName } from '../../shared/safe-file-name';
import { hasReason, isKeywardError } from '../../shared/errors';
import {
  addRecipients,
  decryptFile,
  inspectMessage,
  readPublicKeys,
  type MessageInfo,
  type UnlockedKey,
} from '../../shared/openpgp';
import type { ContactsStore } from '../contacts/contacts-store';
import type { SiteRecipientsResolver } from '../contacts/site-recipients';
import type { AcceptorEnd } from '../messaging/channel';
import type { decryptChannel, DecryptReport } from '../messaging/decrypt-channel';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import { everyFewMegabytes, spoolStream } from '../platform/spool';
import type { Vault } from '../vault/vault';

/**
 * Decrypts a file for one of Keyward's own pages (the decrypt page). Only authenticated plaintext leaves: the
 * result is handed over only once the whole stream closed cleanly, so a truncated or tampered file yields an error
 * and no file, never a partial plaintext.
 */
export function createDecryptService({
  vault,
  contacts,
  recipients,
  clock,
  baseUrl,
}: {
  vault: Vault;
  /** Other people's keys: their signatures are checked, their names shown among the recipients. */
  contacts: ContactsStore;
  /** Resolves groups and people to keys for share later, as for uploads. */
  recipients: SiteRecipientsResolver;
  clock: Clock;
  baseUrl: string;
}) {
  /** Key id -> a name, for everyone Keyward has a key of (the user's keys and contacts). */
  async function knownNames(): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const armored = [
      ...(await Promise.all((await vault.list()).map((k) => vault.publicKey(k.fingerprint)))),
      ...(await contacts.publicKeys()),
    ];
    for (const entry of await readPublicKeys(armored.join('\n'), { date: clock.now() }).catch(() => [])) {
      const name = entry.summary.userIds[0] ?? entry.summary.fingerprint;
      names.set(entry.summary.keyId, name);
      for (const sub of entry.summary.subkeys) names.set(sub.keyId, name);
    }
    return names;
  }

  async function run(
    file: File,
    report: (r: DecryptReport) => void,
    password?: string,
  ): Promise<DecryptReport> {
    let info: MessageInfo;
    try {
      info = await inspectMessage(file.stream());
    } catch (error) {
      if (hasReason(error, 'not_encrypted')) {
        return notForMe('This is not an encrypted OpenPGP file.');
      }
      throw error;
    }
    if (info.encryption === null) return notForMe('This is not an encrypted OpenPGP file.');
    const mine = await vault.keyIds();
    const wanted = new Set(info.recipients.map((r) => r.keyId as string));
    const keys = (await vault.list()).filter((k) => mine[k.fingerprint]?.some((id) => wanted.has(id)));
    if (keys.length === 0 && info.passwordProtected) {
      return password === undefined
        ? { kind: 'password', wrong: false }
        : withPassword(file, password, report, info);
    }
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
    return decryptToFile(file, report, info, { keys: [key] }, unlocked.userIds[0] ?? unlocked.fingerprint);
  }

  /** A file someone encrypted with a password (for none of the user's keys), opened with that password. */
  async function withPassword(
    file: File,
    password: string,
    report: (r: DecryptReport) => void,
    info: MessageInfo,
  ): Promise<DecryptReport> {
    try {
      return await decryptToFile(file, report, info, { keys: [], password }, 'its password');
    } catch (error) {
      if (hasReason(error, 'wrong_passphrase')) return { kind: 'password', wrong: true };
      throw error;
    }
  }

  /**
   * Decrypts `file` with `secret` (the user's unlocked key, or the file's password) into a spool file (memory flat in
   * file size), handed over only if the stream closed cleanly, else deleted; with who it is for and who signed it.
   */
  async function decryptToFile(
    file: File,
    report: (r: DecryptReport) => void,
    info: MessageInfo,
    secret: { keys: UnlockedKey[]; password?: string },
    decryptedWith: string,
  ): Promise<DecryptReport> {
    const verificationKeys = [
      ...(await Promise.all((await vault.list()).map((k) => vault.publicKey(k.fingerprint)))),
      ...(await contacts.publicKeys()),
    ];
    const names = await knownNames();
    const encryptedTo = [
      ...(info.passwordProtected && secret.password !== undefined ? ['a password'] : []),
      ...new Set(info.recipients.map((r) => names.get(r.keyId) ?? `key ${r.keyId}`)),
      ...(info.hiddenRecipients > 0 ? [`${info.hiddenRecipients} hidden recipient(s)`] : []),
    ];
    await prepareStreamedHashes(); // checking a signature hashes the whole file
    const decrypted = await decryptFile({
      ciphertext: file.stream(),
      ...secret,
      date: clock.now(),
      verificationKeys,
    });
    const spooled = await spoolStream(
      'download',
      decrypted.plaintext,
      everyFewMegabytes((bytes) => {
        report({ kind: 'progress', done: Math.min(bytes, file.size), total: file.size });
      }),
    );
    // The name inside the message, else the file's own without .pgp: both chosen by whoever made the file.
    const name = safeFileName(
      decrypted.filename,
      safeFileName(file.name.replace(/\.(pgp|gpg|asc)$/i, '')).name,
    ).name;
    return {
      kind: 'done',
      signature: describeSignatures(await decrypted.signatures, names),
      encryptedTo,
      file: await spooled.finish(name),
      decryptedWith,
      encryption: decrypted.encryption ?? 'unknown',
    };
  }

  /** Share later: new key packets for the new recipients; the encrypted body is passed through unchanged. */
  async function share(
    file: File,
    wanted: { groups: readonly string[]; people: readonly string[] },
  ): Promise<DecryptReport> {
    if (wanted.groups.length === 0 && wanted.people.length === 0)
      return failed('Choose someone to share with.');
    const theirs = await recipients.keysForUpload(wanted);
    const keys = (await vault.list()).filter((k) => k.unlocked);
    if (keys.length === 0) {
      const key = (await vault.list())[0];
      if (!key) return failed('Keyward has no key yet.');
      return { kind: 'locked', fingerprint: key.fingerprint, userId: key.userIds[0] ?? key.fingerprint };
    }
    const unlocked = await Promise.all(keys.map(async (k) => (await vault.use(k.fingerprint)).key));
    const result = await addRecipients({
      ciphertext: file.stream(),
      keys: unlocked,
      recipients: theirs.map((k) => k.armored),
      date: clock.now(),
    });
    const spooled = await spoolStream('download', result.ciphertext, () => undefined);
    const addedNow = new Set<string>(result.added);
    const added = theirs.filter((k) => addedNow.has(k.fingerprint)).map((k) => k.label);
    return { kind: 'shared', file: await spooled.finish(file.name, 'application/pgp-encrypted'), added };
  }

  const isDecryptPage = (port: DecryptPage) => port.sender?.url?.startsWith(baseUrl) === true;

  function serve(port: DecryptPage): void {
    if (!isDecryptPage(port)) {
      port.disconnect();
      return;
    }
    port.onMessage((request) => {
      const answer =
        request.kind === 'share'
          ? share(request.file, { groups: request.groups, people: request.people })
          : run(request.file, (r) => port.post(r), request.password);
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
  }

  /** A request the decrypt channel's schema refused (no file, or not one): answered, nothing decrypted. */
  function refuse(port: DecryptPage): void {
    if (isDecryptPage(port)) port.post(failed('No file.'));
    else port.disconnect();
  }

  return { serve, refuse };
}

type DecryptPage = AcceptorEnd<typeof decryptChannel>;

function describeSignatures(
  signatures: readonly { keyId: string; valid: boolean }[],
  names: ReadonlyMap<string, string>,
): string {
  if (signatures.length === 0) return 'not signed';
  return signatures
    .map(({ keyId, valid }) => {
      const name = names.get(keyId);
      if (valid) return `signed by ${name ?? `key ${keyId}`}`;
      return name
        ? `a signature claiming to be ${name}'s does NOT verify`
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
