import { describe, expect, it } from 'vitest';
import type { Email } from '../../../shared/identity';
import { confirmsDeletion } from './delete-dialog';

describe('confirmsDeletion', () => {
  // Mixed case on purpose: the dialog compares as people type, whatever case the key's user id has.
  const key = { emails: ['Alice@Example.org', 'alice@work.example'] as Email[] };
  it.each([
    ['delete', true],
    ['  DELETE ', true],
    ['alice@example.org', true],
    ['alice@work.example', true],
    ['', false],
    ['del', false],
    ['alice', false],
    ['bob@example.org', false],
  ])('%j -> %s', (typed, ok) => expect(confirmsDeletion(typed, key)).toBe(ok));
});
