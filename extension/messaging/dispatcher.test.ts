import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing';
import { KeywardError } from '../../shared/errors';
import { extensionIdentity, type RuntimeMessageSender } from '../platform/runtime';
import { answerProtocol, type DispatcherDeps, type Handlers } from './dispatcher';
import { protocol } from './protocol';
import type { Reply } from './reply';

// Messages go in through the fake browser's onMessage, with the sender a real browser would attach.
const id = fakeBrowser.runtime.id;
const popup: RuntimeMessageSender = { id, url: `chrome-extension://${id}/popup.html` };
const optionsInTab: RuntimeMessageSender = {
  id,
  url: `chrome-extension://${id}/options.html`,
  tab: { id: 7 },
};
const status = { version: '1.2.3', keys: 0, locked: true, defaultKey: null };

// Every other message fails the test if it is ever dispatched here: these tests are about status.get.
const otherHandlers = Object.fromEntries(
  Object.keys(protocol).map((type) => [type, () => Promise.reject(new Error(`unexpected ${type}`))]),
) as unknown as Handlers;

let getStatus: ReturnType<typeof vi.fn<Handlers['status.get']>>;
let unexpected: ReturnType<typeof vi.fn<DispatcherDeps['onUnexpectedError']>>;

beforeEach(() => {
  fakeBrowser.reset();
  getStatus = vi.fn<Handlers['status.get']>(() => Promise.resolve(status));
  unexpected = vi.fn<DispatcherDeps['onUnexpectedError']>();
  answerProtocol({
    handlers: { ...otherHandlers, 'status.get': getStatus },
    identity: extensionIdentity(),
    onUnexpectedError: unexpected,
  });
});

async function deliver(message: unknown, sender: RuntimeMessageSender): Promise<Reply<unknown>> {
  // Chrome fills in a full Tab where we only name the fields the dispatcher reads.
  const replies: unknown[] = await fakeBrowser.runtime.onMessage.trigger(
    message,
    sender as Browser.runtime.MessageSender,
  );
  expect(replies).toHaveLength(1);
  return replies[0] as Reply<unknown>;
}

function refusal(code: string, message: RegExp) {
  return { ok: false, error: { code, message: expect.stringMatching(message) as unknown } };
}

describe('message dispatcher', () => {
  it.each([
    ['the popup', popup],
    ['the options page in a tab', optionsInTab],
  ])('answers status.get from %s', async (_name, sender) => {
    expect(await deliver({ type: 'status.get', payload: {} }, sender)).toEqual({ ok: true, value: status });
    expect(getStatus).toHaveBeenCalledWith({}, sender);
  });

  it.each([
    ['a string', 'status.get'],
    ['null', null],
    ['an object without type', { payload: {} }],
    ['an object without payload', { type: 'status.get' }],
    ['a numeric type', { type: 1, payload: {} }],
    ['an envelope with extra fields', { type: 'status.get', payload: {}, reply: 'x' }],
    ['an overlong type', { type: 'x'.repeat(65), payload: {} }],
  ])('refuses a malformed message: %s', async (_name, message) => {
    expect(await deliver(message, popup)).toEqual(refusal('invalid_input', /^Malformed message/));
    expect(getStatus).not.toHaveBeenCalled();
  });

  it.each([
    ['a payload with unexpected fields', { type: 'status.get', payload: { keys: 5 } }],
    ['a non-object payload', { type: 'status.get', payload: 'all' }],
  ])('refuses a malformed request: %s', async (_name, message) => {
    expect(await deliver(message, popup)).toEqual(
      refusal('invalid_input', /^Keyward could not use what was sent: check .+ and try again\.$/),
    );
    expect(getStatus).not.toHaveBeenCalled();
  });

  it.each(['vault.exportUnlocked', 'toString', '__proto__', 'constructor'])(
    'refuses the unknown message type %s',
    async (type) => {
      expect(await deliver({ type, payload: {} }, popup)).toEqual(
        refusal('invalid_input', /^Unknown message type/),
      );
    },
  );

  it.each<[string, RuntimeMessageSender]>([
    ['no sender id', { url: popup.url }],
    ['another extension', { id: 'abcdefghijklmnopabcdefghijklmnop', url: popup.url }],
    ['a content script (our id, a web page URL)', { id, url: 'https://evil.example/upload', tab: { id: 3 } }],
    [
      'a page of another extension claiming our id',
      { id, url: 'chrome-extension://otherextension/popup.html' },
    ],
    ['a sender without URL', { id }],
    ['an unparsable URL', { id, url: 'not a url' }],
  ])('refuses status.get from %s', async (_name, sender) => {
    expect(await deliver({ type: 'status.get', payload: {} }, sender)).toEqual(
      refusal('forbidden', /^Refused/),
    );
    expect(getStatus).not.toHaveBeenCalled();
  });

  it.each([
    ['vault.export', { fingerprint: 'A'.repeat(40), part: 'private' }],
    ['vault.unlock', { passphrase: 'guess' }],
    ['vault.list', {}],
    ['settings.update', { keyserverUrl: 'https://evil.example' }],
  ])('refuses %s from a content script asking for key material or control', async (type, payload) => {
    const contentScript = { id, url: 'https://evil.example/upload', tab: { id: 3 }, frameId: 0 };
    expect(await deliver({ type, payload }, contentScript)).toEqual(refusal('forbidden', /^Refused/));
  });

  // Every message today is for Keyward's own pages; one accepted from a web page's content script would hand the
  // page control of the user's keys. The sender is checked before the payload is even parsed.
  it.each(Object.keys(protocol))('refuses %s from a content script on a web page', async (type) => {
    const contentScript = { id, url: 'https://evil.example/', tab: { id: 3 }, frameId: 0 };
    expect(await deliver({ type, payload: {} }, contentScript)).toEqual(refusal('forbidden', /^Refused/));
  });

  it('passes on the code, message and details of a KeywardError from a handler', async () => {
    getStatus.mockRejectedValueOnce(
      new KeywardError('rate_limited', 'Try again in 5 seconds.', { retryAfterSeconds: 5 }),
    );
    expect(await deliver({ type: 'status.get', payload: {} }, popup)).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Try again in 5 seconds.', retryAfterSeconds: 5 },
    });
  });

  it('passes on the code and message of a KeywardError from a handler', async () => {
    getStatus.mockRejectedValueOnce(new KeywardError('unavailable', 'The vault is busy.'));
    expect(await deliver({ type: 'status.get', payload: {} }, popup)).toEqual(
      refusal('unavailable', /^The vault is busy\.$/),
    );
    expect(unexpected).not.toHaveBeenCalled();
  });

  it('hides the details of an unexpected handler failure from the sender and reports it', async () => {
    const bug = new TypeError('secret internals');
    getStatus.mockRejectedValueOnce(bug);
    const reply = await deliver({ type: 'status.get', payload: {} }, popup);
    expect(reply).toEqual(refusal('unavailable', /^Keyward failed to handle "status.get"/));
    expect(JSON.stringify(reply)).not.toContain('secret');
    expect(unexpected).toHaveBeenCalledWith('status.get', bug);
  });
});
