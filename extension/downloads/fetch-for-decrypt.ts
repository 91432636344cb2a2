import { ask } from '../messaging/runtime-channels';
import { pageBlobChannel } from '../messaging/page-blob-channel';
import { spoolStream } from '../platform/spool';
import { readReleaseAdvert, type ReleaseAdvert } from './release-target';
import { tabIdsOnOrigin } from '../platform/tabs';

/*
 * Where the decrypt page gets an encrypted download's bytes from: the site again (with its cookies), or, for a
 * download the page built itself, that page's own frame. Either way the bytes are still ciphertext.
 */

/** Fetches the file again with the site's cookies (Keyward holds the site's host permission). */
export async function fetchForDecrypt(
  { url, name }: { url: string; name: string },
  onBytes: (bytes: number) => void,
): Promise<{ file: File; discard: () => Promise<void>; release: ReleaseAdvert }> {
  const none: ReleaseAdvert = { kind: 'none' };
  if (url.startsWith('blob:'))
    return { file: await readPageBlob(url, name), discard: () => Promise.resolve(), release: none };
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'include' });
  } catch {
    throw new Error(
      `${new URL(url).host} did not answer, so ${name} could not be decrypted. Try the download again.`,
    );
  }
  if (!response.ok) throw new Error(`${new URL(url).host} refused ${name} (HTTP ${response.status}).`);
  // A service may say where it takes releases of this file: checked before it is ever offered.
  const release = readReleaseAdvert(response.headers.get('link'), url, response.url || url);
  if (!response.body) return { file: new File([], name), discard: () => Promise.resolve(), release };
  // To a spool file as it arrives: a large download never sits whole in memory.
  let spooled: Awaited<ReturnType<typeof spoolStream>>;
  try {
    spooled = await spoolStream('fetched', response.body, onBytes);
  } catch {
    throw new Error(`The download of ${name} from ${new URL(url).host} broke off. Try the download again.`);
  }
  return { file: await spooled.finish(name), discard: spooled.discard, release };
}

/**
 * A download the page built itself (a `blob:` URL): only a frame of that site can read it, so Keyward's content
 * script there is asked, in each tab of the site, the one the user is looking at first.
 */
async function readPageBlob(url: string, name: string): Promise<File> {
  const site = new URL(url).origin;
  let problem = `No open page of ${hostOf(url)} holds ${name} any more; download it again.`;
  for (const tabId of await tabIdsOnOrigin(site)) {
    const answer = await ask(
      pageBlobChannel,
      { to: 'tab', tabId },
      { type: 'keyward.readPageBlob', url },
    ).catch(
      () => undefined, // no Keyward content script in that tab (opened before the site was opted in)
    );
    if (answer && 'file' in answer) return new File([answer.file], name, { type: answer.file.type });
    if (answer) problem = answer.error;
  }
  throw new Error(problem);
}

/** The site's host for messages, also for blob:https://site/uuid URLs (whose own host is empty). */
export function hostOf(url: string): string {
  return new URL(new URL(url).origin).host;
}
