import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { localStorageArea } from '../platform/storage';
import { createGroupsStore } from './groups-store';

const BOB_FP = 'A'.repeat(40);

function store() {
  let n = 0;
  return createGroupsStore({ local: localStorageArea(), newId: () => `g${++n}` });
}

beforeEach(() => fakeBrowser.reset());

describe('groups', () => {
  it('saves a group with normalised, de-duplicated members, and lists groups by name', async () => {
    const groups = store();
    const design = await groups.save({
      name: '  Design team ',
      members: [{ email: 'Bob@Example.org' }, { email: 'bob@example.org' }, { email: 'carol@example.org' }],
    });
    await groups.save({ name: 'Accounts', members: [{ email: 'dan@example.org' }] });
    expect(design).toEqual({
      id: 'g1',
      name: 'Design team',
      members: [{ email: 'bob@example.org' }, { email: 'carol@example.org' }],
    });
    expect((await groups.list()).map((g) => g.name)).toEqual(['Accounts', 'Design team']);
    await groups.save({ id: 'g1', name: 'Design', members: [{ email: 'bob@example.org' }] });
    expect(await groups.get('g1')).toEqual({
      id: 'g1',
      name: 'Design',
      members: [{ email: 'bob@example.org' }],
    });
  });

  it('refuses bad input with a clear message and keeps what was stored', async () => {
    const groups = store();
    await expect(groups.save({ name: '', members: [] })).rejects.toThrow('A group needs a name.');
    await expect(groups.save({ name: 'X', members: [{ email: 'not an address' }] })).rejects.toThrow(
      'is not an e-mail address',
    );
    await expect(
      groups.save({ name: 'X', members: [{ email: 'a@example.org', fingerprint: '1234' }] }),
    ).rejects.toThrow('A fingerprint has 40 hex digits');
    await expect(groups.save({ id: 'nope', name: 'X', members: [] })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await groups.list()).toEqual([]);
  });

  it('exports a file with the pinned fingerprints, which imports elsewhere as the same group', async () => {
    const lead = store();
    const { id } = await lead.save({
      name: 'Design team',
      members: [{ email: 'bob@example.org' }, { email: 'carol@example.org' }],
    });
    const file = await lead.exportFile(id, (email) => (email === 'bob@example.org' ? BOB_FP : undefined));
    expect(file.filename).toBe('Design-team.keyward-group.json');
    expect(JSON.parse(file.text)).toEqual({
      type: 'keyward-group',
      version: 1,
      name: 'Design team',
      members: [{ email: 'bob@example.org', fingerprint: BOB_FP }, { email: 'carol@example.org' }],
    });

    fakeBrowser.reset();
    const member = store();
    const imported = await member.importFile(file.text);
    expect(imported.members).toEqual([
      { email: 'bob@example.org', fingerprint: BOB_FP },
      { email: 'carol@example.org' },
    ]);
    // A newer file for the same group replaces it rather than adding a second "Design team".
    const newer = JSON.stringify({ ...JSON.parse(file.text), members: [{ email: 'dan@example.org' }] });
    await member.importFile(newer);
    expect(await member.list()).toEqual([
      { id: imported.id, name: 'Design team', members: [{ email: 'dan@example.org' }] },
    ]);
  });

  it('refuses files that are not group files', async () => {
    const groups = store();
    await expect(groups.importFile('not json')).rejects.toThrow('not a Keyward group file');
    await expect(groups.importFile('{"type":"keyward-group","version":2}')).rejects.toThrow(
      'not a Keyward group file',
    );
    const hostile = { type: 'keyward-group', version: 1, name: 'X', members: [{ email: '<script>@x' }] };
    await expect(groups.importFile(JSON.stringify(hostile))).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('says so when the stored groups are damaged instead of treating them as none', async () => {
    await fakeBrowser.storage.local.set({ groups: { g1: { name: 5 } } });
    await expect(store().list()).rejects.toMatchObject({ code: 'unavailable' });
  });
});
