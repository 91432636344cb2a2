/** Asks Keyward's content script in a page for a `blob:` URL that page made (a page-made encrypted download). */
export interface ReadPageBlobRequest {
  readonly type: 'keyward.readPageBlob';
  readonly url: string;
}

export function isReadPageBlobRequest(message: unknown): message is ReadPageBlobRequest {
  const m = message as Partial<ReadPageBlobRequest> | null;
  return m?.type === 'keyward.readPageBlob' && typeof m.url === 'string';
}
