import type { AcceptorHears, AcceptorSends } from '../messaging/channel';
import type { pageBlobChannel } from '../messaging/page-blob-channel';
import type { RuntimeMessageSender } from '../platform/runtime';

/**
 * The content script's side of decrypting a page-made download: only Keyward's own extension pages may ask, and
 * only for a `blob:` URL of this frame's own origin (the only context that can read it). Answers with the blob as
 * a `File`; this frame stays silent for anything else, so the frame that made the blob is the one that answers.
 * Nothing is decrypted here: the bytes are still ciphertext and go to the extension.
 */
export function createPageBlobReader(deps: {
  readonly extensionBaseUrl: string;
  readonly extensionId: string;
  readonly origin: string;
  readonly fetchBlob: (url: string) => Promise<Blob>;
}) {
  return (
    request: AcceptorHears<typeof pageBlobChannel>,
    sender: RuntimeMessageSender,
  ): Promise<AcceptorSends<typeof pageBlobChannel>> | undefined => {
    if (sender.id !== deps.extensionId || !sender.url?.startsWith(deps.extensionBaseUrl)) return undefined;
    if (!request.url.startsWith('blob:') || blobOrigin(request.url) !== deps.origin) return undefined;
    return deps.fetchBlob(request.url).then(
      (blob) => ({ file: new File([blob], 'download', { type: blob.type }) }),
      () => ({ error: 'The page no longer holds this file (it was discarded); download it again.' }),
    );
  };
}

function blobOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin; // the origin inside blob:https://site/uuid
  } catch {
    return undefined;
  }
}
