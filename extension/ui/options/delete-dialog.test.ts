import { describe, expect, it } from 'vitest';
import { confirmsDeletion } from './delete-dialog';

describe('confirmsDeletion', () => {
  const key = { emails: ['Alice@Example.org', 'alice@work.example'] };
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
