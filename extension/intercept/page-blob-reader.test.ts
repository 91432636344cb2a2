import { describe, expect, it, vi } from 'vitest';
import { pageBlobChannel } from '../messaging/page-blob-channel';
import { createPageBlobReader } from './page-blob-reader';

const BASE = 'chrome-extension://keyward/';
const ORIGIN = 'https://files.example.com';
const blobUrl = `blob:${ORIGIN}/0b8f3c9e-1d2a-4f5b-8c7d-6e5f4a3b2c1d`;
const fromDecryptPage = { id: 'keyward', url: `${BASE}decrypt.html#x`, tab: { id: 3 } };

function reader(fetchBlob = vi.fn((url: string) => Promise.resolve(new Blob([url])))) {
  return {
    fetchBlob,
    answer: createPageBlobReader({
      extensionBaseUrl: BASE,
      extensionId: 'keyward',
      origin: ORIGIN,
      fetchBlob,
    }),
  };
}

describe('page blob reader (content script)', () => {
  it("hands Keyward's decrypt page a blob: URL of its own origin, as a File", async () => {
    const { answer } = reader();
    const answered = await answer({ type: 'keyward.readPageBlob', url: blobUrl }, fromDecryptPage);
    const file = (answered as { file: File }).file;
    expect(file).toBeInstanceOf(File);
    expect(await file.text()).toBe(blobUrl);
    expect(pageBlobChannel.fromAcceptor.safeParse(answered).success).toBe(true);
  });

  it.each([
    ['another extension', { ...fromDecryptPage, id: 'evil' }, blobUrl],
    [
      'a web page posing as Keyward (no extension URL)',
      { id: 'keyward', url: `${ORIGIN}/x`, tab: { id: 3 } },
      blobUrl,
    ],
    ["another site's blob", fromDecryptPage, 'blob:https://bank.example/0b8f3c9e'],
    ['an http(s) URL (cross-origin read through the page)', fromDecryptPage, `${ORIGIN}/private`],
    ['a malformed URL', fromDecryptPage, 'blob:'],
  ])('stays silent for %s', (_name, sender, url) => {
    const { answer, fetchBlob } = reader();
    expect(answer({ type: 'keyward.readPageBlob', url }, sender)).toBeUndefined();
    expect(fetchBlob).not.toHaveBeenCalled();
  });

  it.each([
    ['another message', { type: 'vault.list' }],
    ['a URL that is no string', { type: 'keyward.readPageBlob', url: { toString: 'blob:' } }],
    ['extra fields', { type: 'keyward.readPageBlob', url: blobUrl, then: 'x' }],
  ])('ignores %s (the channel refuses it before the reader)', (_name, message) => {
    expect(pageBlobChannel.fromOpener.safeParse(message).success).toBe(false);
  });

  it('says so when the page already revoked the blob', async () => {
    const { answer } = reader(vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(answer({ type: 'keyward.readPageBlob', url: blobUrl }, fromDecryptPage)).resolves.toEqual({
      error: expect.stringContaining('download it again') as unknown,
    });
  });
});
