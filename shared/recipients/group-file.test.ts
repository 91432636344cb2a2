import { describe, expect, it } from 'vitest';
import { formatGroupFile, MAX_GROUP_MEMBERS, parseGroupFile } from './group-file';

const BOB_FP = 'A'.repeat(40);

describe('group files (*.keyward-group.json)', () => {
  it('reads what it writes: normalised addresses, fingerprints kept, a file name from the group name', () => {
    const file = formatGroupFile({
      name: 'Design team',
      members: [{ email: 'bob@example.org', fingerprint: BOB_FP }, { email: 'carol@example.org' }],
    });
    expect(file.filename).toBe('Design-team.keyward-group.json');
    expect(parseGroupFile(file.text)).toEqual({
      name: 'Design team',
      members: [{ email: 'bob@example.org', fingerprint: BOB_FP }, { email: 'carol@example.org' }],
    });
  });

  it('normalises and de-duplicates members', () => {
    const text = JSON.stringify({
      type: 'keyward-group',
      version: 1,
      name: ' Ops ',
      members: [
        { email: 'Dan@Example.org' },
        { email: 'dan@example.org', fingerprint: `0x${'b'.repeat(40)}` },
      ],
    });
    expect(parseGroupFile(text)).toEqual({ name: 'Ops', members: [{ email: 'dan@example.org' }] });
  });

  it.each([
    ['not JSON', 'not json', 'not a Keyward group file (it is not JSON)'],
    ['another version', '{"type":"keyward-group","version":2,"name":"X","members":[]}', 'or it is damaged'],
    ['another type', '{"type":"x","version":1,"name":"X","members":[]}', 'or it is damaged'],
    [
      'a hostile address',
      '{"type":"keyward-group","version":1,"name":"X","members":[{"email":"<script>@x"}]}',
      'is not an e-mail address',
    ],
    [
      'a short key id posing as a fingerprint',
      '{"type":"keyward-group","version":1,"name":"X","members":[{"email":"a@example.org","fingerprint":"1234ABCD"}]}',
      'A fingerprint has 40 hex digits',
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseGroupFile(text)).toThrow(message);
  });

  it('a group file flooding members is refused, not read', () => {
    const members = Array.from({ length: MAX_GROUP_MEMBERS + 1 }, (_, i) => ({ email: `m${i}@example.org` }));
    const text = JSON.stringify({ type: 'keyward-group', version: 1, name: 'Big', members });
    expect(() => parseGroupFile(text)).toThrow('or it is damaged');
  });
});
