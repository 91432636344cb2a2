import type { Clock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import { Email } from '../../shared/identity';
import { addRecipients } from '../../shared/openpgp';
import type { ContactsStore, RecipientKey } from '../contacts/contacts-store';
import type { KeyLookup } from '../directory/key-lookup';
import type { AcceptorEnd } from '../messaging/channel';
import type { releaseChannel, ReleaseReport, ReleaseRequest } from '../messaging/release-channel';
import { spoolStream } from '../platform/spool';
import type { Vault } from '../vault/vault';

export interface ReleaseServiceDeps {
  readonly vault: Vault;
  /** Other people's keys by address, pinned (the lookup recipients of uploads and share later go through). */
  readonly contacts: ContactsStore;
  /** The sources themselves, asked again only to say why an address has no key (none, or none reachable). */
  readonly lookup: KeyLookup;
  readonly clock: Clock;
  /** The extension's own base URL: only its decrypt page may ask. */
  readonly baseUrl: string;
}

/**
 * "Release one file to a service", the background's half: the decrypt page names the service by its address,
 * Keyward finds its published, verified, usable key (and pins it like any contact's), and the user sees who it is
 * before anything happens; then, on the user's second click, the one file is shared with exactly the key they
 * saw (one more key packet, shared/openpgp/add-recipients.ts; the contents are not re-encrypted). Delivering the
 * copy is the decrypt page's (release-delivery.ts). No web page or content script can open this port.
 */
export function createReleaseService({ vault, contacts, lookup, clock, baseUrl }: ReleaseServiceDeps) {
  /** The service's key for an address, looked up again now, or why there is none to use. */
  async function keyFor(input: string): Promise<RecipientKey | Failed> {
    const email = Email.tryParse(input);
    if (!email) return failed('refused', `${JSON.stringify(input.slice(0, 80))} is not an e-mail address.`);
    try {
      const [key] = await contacts.recipientKeys([email], { fresh: true });
      return key!;
    } catch (error) {
      if (!isKeywardError(error)) throw error;
      if (error.code === 'conflict') return failed('key-changed', error.message);
      if (error.code === 'forbidden') return failed('unusable', error.message);
      if (error.code !== 'not_found') return failed('refused', error.message);
      // Nothing pinned and nothing found: was there nothing, or could no source be asked?
      const again = await lookup.lookup(email);
      const where = again.attempts.join('; ') || 'no lookup source is on';
      if (again.usable === null && again.failed.length > 0 && again.failed.length === again.attempts.length) {
        return failed(
          'unavailable',
          `Keyward could not ask for the key of ${email} (${where}). Nothing was released; try again later.`,
        );
      }
      return failed(
        'no-key',
        `${email} has no verified, published key Keyward can use (${where}), so nothing can be released to it.`,
      );
    }
  }

  async function find(input: string): Promise<ReleaseReport> {
    const key = await keyFor(input);
    if ('kind' in key) return key;
    return { kind: 'found', address: key.email, fingerprint: key.fingerprint, userId: key.userId };
  }

  async function share(file: File, input: string, fingerprint: string): Promise<ReleaseReport> {
    const key = await keyFor(input);
    if ('kind' in key) return key;
    if (key.fingerprint !== fingerprint.toUpperCase()) {
      return failed(
        'key-changed',
        `The key for ${key.email} is not the one you were shown (it is now ${key.fingerprint}). Nothing was ` +
          'released; look it up again.',
      );
    }
    const mine = await vault.list();
    const unlocked = mine.filter((k) => k.unlocked);
    if (unlocked.length === 0) {
      const first = mine[0];
      if (!first) return failed('refused', 'Keyward has no key yet.');
      return { kind: 'locked', userId: first.userIds[0] ?? first.fingerprint };
    }
    const result = await addRecipients({
      ciphertext: file.stream(),
      keys: await Promise.all(unlocked.map(async (k) => (await vault.use(k.fingerprint)).key)),
      recipients: [key.armored],
      date: clock.now(),
    });
    const spooled = await spoolStream('download', result.ciphertext, () => undefined);
    return {
      kind: 'shared',
      file: await spooled.finish(file.name, 'application/pgp-encrypted'),
      added: result.added.length > 0,
    };
  }

  /** The channel's schema has checked the request's shape already. */
  function answer(request: ReleaseRequest): Promise<ReleaseReport> {
    return request.kind === 'lookup'
      ? find(request.address)
      : share(request.file, request.address, request.fingerprint);
  }

  return {
    lookup: find,
    share,
    /** One port per step, from Keyward's decrypt page only. */
    serve(port: ReleasePage): void {
      if (!isDecryptPage(port.sender?.url, baseUrl)) {
        port.disconnect();
        return;
      }
      port.onMessage((request) => {
        answer(request).then(
          (report) => port.post(report),
          (error: unknown) =>
            port.post(
              failed(
                'refused',
                isKeywardError(error)
                  ? `Nothing was released: ${error.message}`
                  : 'Keyward could not make the copy; nothing was released.',
              ),
            ),
        );
      });
    },
    /** A request the channel's schema refused: answered, nothing looked up or shared. */
    refuse(port: ReleasePage): void {
      if (isDecryptPage(port.sender?.url, baseUrl)) port.post(failed('refused', 'Not a release request.'));
      port.disconnect();
    },
  };
}

type ReleasePage = AcceptorEnd<typeof releaseChannel>;

/** The decrypt page itself, not another of Keyward's pages, another extension's, or a page of a web site. */
function isDecryptPage(url: string | undefined, baseUrl: string): boolean {
  // By text: a chrome-extension: URL has no origin of its own outside the browser ("null" for every extension).
  return url !== undefined && url.split(/[?#]/)[0] === `${baseUrl.replace(/\/?$/, '/')}decrypt.html`;
}

type Failed = Extract<ReleaseReport, { kind: 'failed' }>;

function failed(reason: Failed['reason'], message: string): Failed {
  return { kind: 'failed', reason, message };
}

export type ReleaseService = ReturnType<typeof createReleaseService>;
