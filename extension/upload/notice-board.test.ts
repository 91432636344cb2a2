import { describe, expect, it } from 'vitest';
import type { MessagePort } from '../platform/ports';
import { createNoticeBoard } from './notice-board';
import { route } from '../messaging/runtime-channels';
import { noticeChannel } from '../messaging/notice-channel';

const extensionId = 'keyward-id';

function fakePort(sender: MessagePort['sender']) {
  const posted: unknown[] = [];
  let onMessage: (m: unknown) => void = () => undefined;
  let disconnected = false;
  const port: MessagePort = {
    name: 'keyward-notice',
    sender,
    post: (m) => posted.push(m),
    onMessage: (listener) => (onMessage = listener),
    onDisconnect: () => undefined,
    disconnect: () => (disconnected = true),
  };
  return { port, posted, say: (m: unknown) => onMessage(m), disconnected: () => disconnected };
}

const noticePage = (url = 'chrome-extension://d1e2f3/notice.html#x') => ({ id: extensionId, url });

function board(now = () => 1000) {
  let n = 0;
  return createNoticeBoard({
    extensionId,
    newId: () => `notice-${++n}`,
    securityPhrase: () => Promise.resolve('otter sage anchor 34'),
    now,
  });
}

describe('notice board', () => {
  it("gives a notice's frame what it says, with the security phrase, now and as it changes", async () => {
    const notices = board();
    const id = notices.open();
    await notices.show(id, 'working', 'Encrypting a.txt…', 0.5);
    const frame = fakePort(noticePage());
    route(noticeChannel, notices.serve).accept(frame.port);
    frame.say({ kind: 'hello', id });
    await notices.show(id, 'done', 'Encrypted a.txt.pgp for: you (alice@example.org)');
    expect(frame.posted).toEqual([
      {
        kind: 'notice',
        state: 'working',
        text: 'Encrypting a.txt…',
        fraction: 0.5,
        securityPhrase: 'otter sage anchor 34',
      },
      {
        kind: 'notice',
        state: 'done',
        text: 'Encrypted a.txt.pgp for: you (alice@example.org)',
        securityPhrase: 'otter sage anchor 34',
      },
    ]);
  });

  it('attack: a second frame presenting the same notice id is told nothing', async () => {
    const notices = board();
    const id = notices.open();
    await notices.show(id, 'done', 'secret names');
    const first = fakePort(noticePage());
    route(noticeChannel, notices.serve).accept(first.port);
    first.say({ kind: 'hello', id });
    const second = fakePort(noticePage());
    route(noticeChannel, notices.serve).accept(second.port);
    second.say({ kind: 'hello', id });
    expect(second.posted).toEqual([]);
    expect(second.disconnected()).toBe(true);
  });

  it.each([
    ['a content script (a web page)', { id: extensionId, url: 'https://evil.example/notice.html' }],
    ['another extension', { id: 'other', url: 'chrome-extension://other/notice.html' }],
    ['another page of Keyward', { id: extensionId, url: 'chrome-extension://d1e2f3/options.html' }],
  ])('attack: %s asking for a notice is refused', async (_who, sender) => {
    const notices = board();
    const id = notices.open();
    await notices.show(id, 'done', 'x');
    const port = fakePort(sender);
    route(noticeChannel, notices.serve).accept(port.port);
    port.say({ kind: 'hello', id });
    expect(port.posted).toEqual([]);
    expect(port.disconnected()).toBe(true);
  });

  it('forgets notices nobody showed after a while', async () => {
    let now = 0;
    const notices = board(() => now);
    const old = notices.open();
    await notices.show(old, 'done', 'x');
    now += 11 * 60 * 1000;
    notices.open(); // sweeps
    const frame = fakePort(noticePage());
    route(noticeChannel, notices.serve).accept(frame.port);
    frame.say({ kind: 'hello', id: old });
    expect(frame.posted).toEqual([]);
  });
});
