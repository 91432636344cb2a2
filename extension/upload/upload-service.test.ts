import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { manualClock } from '../../shared/clock';
import { CHEAP_ARGON2, NOW } from '../../tests/fixtures/test-keys';
import { createPeopleParts } from '../background/people-parts';
import { route } from '../messaging/runtime-channels';
import { uploadChannel, type UploadReport } from '../messaging/upload-channel';
import type { MessagePort } from '../platform/ports';
import { localStorageArea, sessionStorageArea } from '../platform/storage';
import { createSettingsStore } from '../settings/settings-store';
import { createSitesStore } from '../sites/sites-store';
import { createInProcessKeyWork } from '../vault/key-work';
import { createVault } from '../vault/vault';
import { createVaultRecords } from '../vault/vault-records';
import { createNoticeBoard } from './notice-board';
import { createUploadService } from './upload-service';

// The upload service as a content script sees it: what a page's frame is told (never the security phrase or a
// recipient's name: those go to the notice frame only), which frames count as protected, and what it refuses.
const id = fakeBrowser.runtime.id;
const SITE = 'https://files.example.com';
let service: ReturnType<typeof createUploadService>;
let openLink: ReturnType<typeof vi.fn<(tabId: number, url: string, active: boolean) => Promise<void>>>;
let phrase: string;

beforeEach(async () => {
  fakeBrowser.reset();
  const clock = manualClock(NOW);
  const local = localStorageArea();
  const settings = createSettingsStore({ local, mayReach: () => Promise.resolve(true) });
  phrase = (await settings.get()).securityPhrase;
  const keyWork = createInProcessKeyWork({ argon2: CHEAP_ARGON2 });
  const vault = createVault({
    records: createVaultRecords(local, sessionStorageArea()),
    keyWork,
    clock,
    autoLockMinutes: () => Promise.resolve(30),
  });
  const sites = createSitesStore({
    local,
    register: () => Promise.resolve(),
    mayReach: () => Promise.resolve(true),
    now: () => clock.now().getTime(),
  });
  await sites.setEnabled(SITE, true);
  const people = createPeopleParts({
    vault,
    keyWork,
    settings,
    local,
    session: sessionStorageArea(),
    clock,
    fetch: () => Promise.reject(new Error('offline')),
    newId: () => 'g',
  });
  openLink = vi.fn(() => Promise.resolve());
  let n = 0;
  service = createUploadService({
    vault,
    askToUnlock: () => Promise.reject(new Error('not in this test')),
    sites,
    recipients: people.siteRecipients,
    settings,
    notices: createNoticeBoard({
      extensionId: id,
      newId: () => `notice-${++n}`,
      securityPhrase: async () => (await settings.get()).securityPhrase,
      now: () => clock.now().getTime(),
    }),
    clock,
    extensionId: id,
    extensionBaseUrl: `chrome-extension://${id}/`,
    openPicker: () => Promise.resolve(),
    openLink,
    newId: () => `pick-${++n}`,
  });
});

/** A content script's port from a frame at `frameUrl` in a tab showing `tabUrl`; resolves to what it was told. */
async function ask(
  request: unknown,
  frameUrl: string,
  tabUrl = frameUrl,
  sender: Partial<NonNullable<MessagePort['sender']>> = {},
): Promise<{ reports: UploadReport[]; disconnected: boolean }> {
  const reports: UploadReport[] = [];
  let disconnected = false;
  let listener: (message: unknown) => void = () => undefined;
  const port: MessagePort = {
    name: 'keyward-upload',
    sender: {
      id,
      url: frameUrl,
      origin: new URL(frameUrl).origin,
      tab: { id: 7, url: tabUrl } as { id: number },
      ...sender,
    },
    post: (m) => reports.push(m as UploadReport),
    onMessage: (l) => (listener = l),
    onDisconnect: () => undefined,
    disconnect: () => (disconnected = true),
  };
  route(uploadChannel, service.serve, { onMalformed: service.refuse }).accept(port);
  listener(request);
  await vi.waitFor(() => expect(reports.length > 0 || disconnected).toBe(true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { reports, disconnected };
}

const file = () => new File(['secret'], 'a.txt', { type: 'text/plain' });

describe('upload service, as a page frame sees it', () => {
  it('tells the frame only outcomes: no security phrase, no names (those go to the notice frame)', async () => {
    // No key yet: the upload fails, and the words of why go to the notice, not to the content script.
    const { reports } = await ask({ kind: 'encrypt', files: [file()], source: 'pick' }, `${SITE}/upload`);
    expect(reports).toEqual([{ kind: 'notice', id: expect.any(String) as string }, { kind: 'failed' }]);
    expect(JSON.stringify(reports)).not.toContain(phrase);
  });

  it("protects a frame of another port inside an opted-in site's page as that page", async () => {
    const { reports } = await ask({ kind: 'mode' }, 'https://files.example.com:8443/frame', `${SITE}/upload`);
    expect(reports).toEqual([{ kind: 'mode', strict: false }]);
  });

  it('stands aside in a page of a site that is not opted in', async () => {
    const { reports } = await ask({ kind: 'mode' }, 'https://files.example.com:8443/page');
    expect(reports).toEqual([{ kind: 'passthrough' }]);
  });

  it('fails closed for a frame whose site cannot be told, in a tab that is not opted in', async () => {
    const { reports } = await ask(
      { kind: 'encrypt', files: [file()], source: 'drop' },
      'https://other.example/x',
      'https://other.example/x',
      {
        origin: 'null',
        url: 'about:srcdoc',
      },
    );
    expect(reports.at(-1)).toEqual({ kind: 'failed' });
  });

  it.each([['javascript:alert(1)'], ['chrome://settings'], ['file:///etc/passwd'], ['not a url']])(
    'attack: a new-tab link to %s is not opened',
    async (url) => {
      await ask({ kind: 'open-link', url, active: true }, `${SITE}/page`);
      expect(openLink).not.toHaveBeenCalled();
    },
  );

  it('opens an http(s) link the user clicked in a new tab next to theirs', async () => {
    await ask({ kind: 'open-link', url: 'https://docs.example.com/a', active: false }, `${SITE}/page`);
    expect(openLink).toHaveBeenCalledWith(7, 'https://docs.example.com/a', false);
  });

  it.each([
    [{ kind: 'encrypt', files: ['not a file'], source: 'pick' }],
    [{ kind: 'encrypt', files: [file()], source: 'page-script' }],
    [{ kind: 'steal-phrase' }],
    [{ kind: 'mode', also: 'x' }],
    [null],
  ])(
    'attack: a hostile content script sending %j is told only that nothing was uploaded',
    async (request) => {
      const { reports } = await ask(request, `${SITE}/upload`);
      expect(reports.at(-1)).toEqual({ kind: 'failed' });
      expect(JSON.stringify(reports)).not.toContain(phrase);
    },
  );

  it('shows the notice a content script asks for (a switched-off frame the user pressed on)', async () => {
    const { reports } = await ask({ kind: 'notice', reason: 'frame-off' }, `${SITE}/page`);
    expect(reports).toEqual([{ kind: 'notice', id: expect.any(String) as string }]);
  });

  it.each(['toString', '__proto__', 'constructor', 'anything'])(
    'attack: a notice asked for with the unknown reason %s shows nothing',
    async (reason) => {
      const { reports } = await ask({ kind: 'notice', reason }, `${SITE}/page`).catch(() => ({
        reports: [] as UploadReport[],
      }));
      expect(reports).toEqual([]);
    },
  );

  it('attack: a port from anything but a content script in a tab is dropped', async () => {
    const { reports, disconnected } = await ask({ kind: 'mode' }, `${SITE}/x`, `${SITE}/x`, {
      tab: undefined,
    });
    expect(reports).toEqual([]);
    expect(disconnected).toBe(true);
  });
});
