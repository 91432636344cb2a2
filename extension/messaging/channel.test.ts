import { describe, expect, it, vi } from 'vitest';
import type { MessagePort } from '../platform/ports';
import { encryptJobChannel } from '../upload/encrypt-job-channel';
import { keyWorkChannel } from '../vault/key-work-channel';
import { endOf, openWorker, type Channel } from './channel';
import { route } from './runtime-channels';
import { childFrameChannel } from './child-frame-channel';
import { decryptChannel } from './decrypt-channel';
import { noticeChannel } from './notice-channel';
import { pageBlobChannel } from './page-blob-channel';
import { pickerChannel } from './picker-channel';
import { protocolChannel } from './protocol-channel';
import { NOTICE_REASONS, uploadChannel } from './upload-channel';

/** A link whose other side is the test: `say` delivers a message, `posted` holds what this side sent. */
function fakeLink(name = 'x') {
  const listeners: ((m: unknown) => void)[] = [];
  const gone: (() => void)[] = [];
  const link = {
    disconnected: false,
    posted: [] as unknown[],
    say: (message: unknown) => listeners.forEach((l) => l(message)),
    drop: () => gone.forEach((l) => l()),
    port: {
      name,
      sender: { id: 'keyward', url: 'chrome-extension://keyward/x.html' },
      post: (message: unknown) => void link.posted.push(message),
      onMessage: (l: (m: unknown) => void) => void listeners.push(l),
      onDisconnect: (l: () => void) => void gone.push(l),
      disconnect: () => void (link.disconnected = true),
    } satisfies MessagePort,
  };
  return link;
}

const file = new File(['x'], 'a.txt');
const garbage: unknown[] = [
  undefined,
  null,
  42,
  'encrypt',
  [],
  {},
  { kind: 'nonsense' },
  { type: 'nonsense' },
  { id: 'one', op: 'unlock' },
  { ['__proto__']: { kind: 'mode' } },
];

/** Per channel and direction: garbage, plus near misses of real messages (wrong types, extra fields). */
const cases: [string, Channel, 'fromOpener' | 'fromAcceptor', unknown[]][] = [
  [
    'upload: a hostile content script',
    uploadChannel,
    'fromOpener',
    [
      { kind: 'encrypt', files: ['not a file'], source: 'pick' },
      { kind: 'encrypt', files: [file], source: 'clipboard-of-the-page' },
      { kind: 'encrypt', files: file, source: 'drop' },
      { kind: 'mode', then: 'x' },
      { kind: 'pick', multiple: 'yes', accept: '', directory: false },
      { kind: 'notice', reason: 'phishing' },
      { kind: 'open-link', url: 7, active: true },
    ],
  ],
  [
    'upload: what a content script may be told (never text)',
    uploadChannel,
    'fromAcceptor',
    [
      { kind: 'failed', message: 'Nothing was uploaded for alice@example.org' },
      { kind: 'notice', id: 'n', securityPhrase: 'otter sage anchor 34' },
      { kind: 'done', files: ['x'] },
      { kind: 'progress', fraction: 2 },
    ],
  ],
  [
    'picker: a page posing as the picker',
    pickerChannel,
    'fromOpener',
    [
      { kind: 'files', files: [] },
      { kind: 'files', files: [{}] },
      { kind: 'hello', id: 1 },
    ],
  ],
  ['picker: the background', pickerChannel, 'fromAcceptor', [{ kind: 'request', site: 'x' }]],
  [
    'decrypt: the decrypt page',
    decryptChannel,
    'fromOpener',
    [{ file }, { kind: 'decrypt', file: 'x' }, { kind: 'share', file, groups: 'all', people: [] }],
  ],
  ['decrypt: the background', decryptChannel, 'fromAcceptor', [{ kind: 'done', file: new Blob(['x']) }]],
  ['notice: a framed page', noticeChannel, 'fromOpener', [{ kind: 'hello', id: ['n'] }, { kind: 'hello' }]],
  ['notice: the background', noticeChannel, 'fromAcceptor', [{ kind: 'notice', state: 'hacked', text: '' }]],
  [
    'key work: the background',
    keyWorkChannel,
    'fromAcceptor',
    [
      { id: 1, op: 'constructor', args: [] },
      { id: 1, op: 'unlock', args: ['locked'] },
      { id: 1, op: 'unlock', args: [1, 2] },
      { id: 1, op: 'encryptToSpool', args: [{ file: 'x' }] },
      { id: -1, cancel: true },
    ],
  ],
  [
    'key work: the offscreen document',
    keyWorkChannel,
    'fromOpener',
    [
      { id: 1, ok: false, error: { code: 'teapot', message: 'x' } },
      { id: 1, ok: 'yes' },
    ],
  ],
  [
    'encryption worker: the document',
    encryptJobChannel,
    'fromOpener',
    [{ kind: 'run', job: { file, recipients: [], date: 0, spoolName: 's' } }],
  ],
  [
    'encryption worker: the worker',
    encryptJobChannel,
    'fromAcceptor',
    [
      { kind: 'failed', code: 'unavailable', message: 'x' },
      { kind: 'done', result: {} },
    ],
  ],
  [
    'page blob: a page posing as the decrypt page',
    pageBlobChannel,
    'fromOpener',
    [{ type: 'keyward.readPageBlob' }, { type: 'keyward.readPageBlob', url: 1 }],
  ],
  ['page blob: a content script', pageBlobChannel, 'fromAcceptor', [{ file: new Blob(['x']) }, { error: 1 }]],
  [
    'child frame: a sender',
    childFrameChannel,
    'fromOpener',
    [{ type: 'keyward.childFrameNavigating', x: 1 }],
  ],
  [
    'protocol: a page',
    protocolChannel,
    'fromOpener',
    [{ type: '', payload: {} }, { type: 'status.get' }, { type: 'status.get', payload: {}, reply: 1 }],
  ],
  [
    'protocol: the background',
    protocolChannel,
    'fromAcceptor',
    [{ ok: false, error: { code: 'forbidden', message: 'x', details: { locked: 1 } } }],
  ],
];

describe('channels', () => {
  it.each(cases)(
    '%s: malformed messages never reach a listener; the channel ends',
    (_name, channel, side, near) => {
      for (const message of [...garbage, ...near]) {
        const link = fakeLink(channel.name);
        const end = endOf(link.port, channel[side]);
        const heard = vi.fn();
        const ended = vi.fn();
        end.onMessage(heard);
        end.onDisconnect(ended);
        link.say(message);
        expect(heard, JSON.stringify(message)).not.toHaveBeenCalled();
        expect(link.disconnected).toBe(true);
        expect(ended).toHaveBeenCalledOnce();
      }
    },
  );

  it('a well-formed message arrives parsed', () => {
    const link = fakeLink();
    const end = endOf(link.port, uploadChannel.fromOpener);
    const heard = vi.fn();
    end.onMessage(heard);
    link.say({ kind: 'encrypt', files: [file], source: 'drop' });
    expect(heard).toHaveBeenCalledWith({ kind: 'encrypt', files: [file], source: 'drop' });
    expect(link.disconnected).toBe(false);
  });

  it('the notice reasons a content script may ask for are a closed list: each known one arrives, no other', () => {
    for (const reason of NOTICE_REASONS) {
      expect(uploadChannel.fromOpener.safeParse({ kind: 'notice', reason }).success, reason).toBe(true);
    }
    expect(NOTICE_REASONS).toContain('frame-off');
    for (const reason of ['toString', '__proto__', 'constructor', 'phishing', '', undefined]) {
      expect(uploadChannel.fromOpener.safeParse({ kind: 'notice', reason }).success, String(reason)).toBe(
        false,
      );
    }
  });

  it('an acceptor may answer a malformed request with a refusal instead of ending the channel', () => {
    const link = fakeLink(uploadChannel.name);
    const served = vi.fn();
    route(uploadChannel, served, { onMalformed: (end) => end.post({ kind: 'failed' }) }).accept(link.port);
    link.say({ kind: 'encrypt', files: ['x'], source: 'pick' });
    expect(link.posted).toEqual([{ kind: 'failed' }]);
    expect(link.disconnected).toBe(false);
  });

  it('after the other end went away, nothing more is heard', () => {
    const link = fakeLink();
    const end = endOf(link.port, noticeChannel.fromOpener);
    const heard = vi.fn();
    const ended = vi.fn();
    end.onMessage(heard);
    end.onDisconnect(ended);
    link.drop();
    link.say({ kind: 'hello', id: 'n' });
    expect(ended).toHaveBeenCalledOnce();
    expect(heard).not.toHaveBeenCalled();
  });

  it('a worker that dies or posts garbage ends its channel', () => {
    for (const trouble of ['crash', 'garbage'] as const) {
      const worker = {
        onmessage: null as ((event: MessageEvent) => void) | null,
        onerror: null as ((event: ErrorEvent) => void) | null,
        postMessage: vi.fn(),
        terminate: vi.fn(),
      };
      const end = openWorker(encryptJobChannel, worker as unknown as Worker);
      const ended = vi.fn();
      end.onDisconnect(ended);
      if (trouble === 'crash') worker.onerror?.({ preventDefault: () => undefined } as ErrorEvent);
      else worker.onmessage?.({ data: { kind: 'done', result: 'all of it' } } as MessageEvent);
      expect(ended).toHaveBeenCalledOnce();
    }
  });
});
