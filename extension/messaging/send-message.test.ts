import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { isKeywardError } from '../../shared/errors';
import { onRuntimeRequest } from '../platform/runtime';
import { errorReply, okReply } from './reply';
import { sendMessage } from './send-message';

// The background is played by a plain listener here; the dispatcher has its own tests.
beforeEach(() => fakeBrowser.reset());

function backgroundAnswers(reply: unknown): unknown[] {
  const received: unknown[] = [];
  onRuntimeRequest((message) => {
    received.push(message);
    return Promise.resolve(reply);
  });
  return received;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
}

describe('sendMessage', () => {
  it('sends the envelope and resolves to the value of an ok reply', async () => {
    const received = backgroundAnswers(okReply({ version: '1.0.0', keys: 0, locked: true }));
    await expect(sendMessage('status.get', {})).resolves.toEqual({ version: '1.0.0', keys: 0, locked: true });
    expect(received).toEqual([{ type: 'status.get', payload: {} }]);
  });

  it('rejects with the code and message of a refusal', async () => {
    backgroundAnswers(errorReply('forbidden', 'Refused.'));
    const error = await rejection(sendMessage('status.get', {}));
    expect(isKeywardError(error, 'forbidden') && error.message).toBe('Refused.');
  });

  it('passes on the details of a refusal (how long to wait after too many wrong passphrases)', async () => {
    backgroundAnswers({
      ok: false,
      error: { code: 'rate_limited', message: 'Try again in 5 seconds.', retryAfterSeconds: 5 },
    });
    const error = await rejection(sendMessage('vault.unlock', { passphrase: 'x' }));
    expect(error).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 5 } });
  });

  it('passes on the typed reason of a refusal', async () => {
    backgroundAnswers({ ok: false, error: { code: 'forbidden', message: 'Locked.', reason: 'key_locked' } });
    const error = await rejection(sendMessage('status.get', {}));
    expect(error).toMatchObject({ code: 'forbidden', details: { reason: 'key_locked' } });
  });

  it.each([
    ['nothing', undefined],
    ['an unknown reason', { ok: false, error: { code: 'forbidden', message: 'x', reason: 'locked=1' } }],
    ['untyped flags', { ok: false, error: { code: 'forbidden', message: 'x', details: { locked: 1 } } }],
    ['a bare value', { version: '1.0.0' }],
    ['an unknown error code', { ok: false, error: { code: 'teapot', message: 'x' } }],
  ])('rejects as unavailable when the background answers %s', async (_name, reply) => {
    backgroundAnswers(reply);
    expect(isKeywardError(await rejection(sendMessage('status.get', {})), 'unavailable')).toBe(true);
  });

  it('rejects as unavailable when no background listens', async () => {
    expect(isKeywardError(await rejection(sendMessage('status.get', {})), 'unavailable')).toBe(true);
  });
});
