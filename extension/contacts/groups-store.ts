import { z } from 'zod';
import { KeywardError, invalidInput } from '../../shared/errors';
import { Email, Fingerprint } from '../../shared/identity';
import { serialQueue } from '../../shared/serial-queue';
import type { Group } from '../messaging/protocol';
import type { StorageArea } from '../platform/storage';

const KEY = 'groups';
export const MAX_GROUP_MEMBERS = 200;
const MAX_NAME = 100;

const memberSchema = z.object({ email: z.string(), fingerprint: z.string().optional() });
const storedSchema = z.record(z.string(), z.object({ name: z.string(), members: z.array(memberSchema) }));

/** The file a team lead hands to the team: `<name>.keyward-group.json`. */
const fileSchema = z.object({
  type: z.literal('keyward-group'),
  version: z.literal(1),
  name: z.string().trim().min(1).max(MAX_NAME),
  members: z
    .array(z.object({ email: z.string().max(254), fingerprint: z.string().max(80).optional() }))
    .max(MAX_GROUP_MEMBERS),
});

export interface GroupsDeps {
  readonly local: StorageArea;
  readonly newId: () => string;
}

/** Checks and normalises a group as a page sends it: a name, 1..200 members, valid addresses and fingerprints. */
export function normalizeGroup(name: string, members: readonly { email: string; fingerprint?: string }[]) {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw invalidInput('A group needs a name.');
  if (trimmed.length > MAX_NAME) throw invalidInput(`A group name has at most ${MAX_NAME} characters.`);
  if (members.length > MAX_GROUP_MEMBERS)
    throw invalidInput(`A group has at most ${MAX_GROUP_MEMBERS} members.`);
  const seen = new Set<string>();
  const normalized: { email: Email; fingerprint?: string }[] = [];
  for (const m of members) {
    const email = Email.parse(m.email);
    if (seen.has(email)) continue;
    seen.add(email);
    const fingerprint = m.fingerprint ? Fingerprint.parse(m.fingerprint) : undefined;
    normalized.push(fingerprint ? { email, fingerprint } : { email });
  }
  return { name: trimmed, members: normalized };
}

/**
 * Named recipient lists, in storage.local. A group can be saved as a file and imported elsewhere: the file names
 * each member's address and, when the exporting browser knew it, the key fingerprint, which the importing browser
 * pins (so the whole team starts from the fingerprints the team lead checked).
 */
export function createGroupsStore({ local, newId }: GroupsDeps) {
  const serial = serialQueue();

  async function read() {
    const parsed = storedSchema.safeParse((await local.get(KEY)) ?? {});
    if (!parsed.success) {
      throw new KeywardError(
        'unavailable',
        "Keyward's groups are damaged. Uploads to groups stop until they are repaired: import or create them again.",
      );
    }
    return parsed.data;
  }
  const asList = (stored: z.infer<typeof storedSchema>): Group[] =>
    Object.entries(stored)
      .map(([id, g]) => ({ id, name: g.name, members: g.members }))
      .sort((a, b) => a.name.localeCompare(b.name));

  return {
    list: () => serial(async () => asList(await read())),

    async get(id: string): Promise<Group> {
      const group = (await serial(read))[id];
      if (!group) throw new KeywardError('not_found', 'This group no longer exists.');
      return { id, ...group };
    },

    /** Creates a group (no id) or replaces one. */
    save: (group: {
      id?: string;
      name: string;
      members: readonly { email: string; fingerprint?: string }[];
    }) =>
      serial(async () => {
        const stored = await read();
        const normalized = normalizeGroup(group.name, group.members);
        const id = group.id ?? newId();
        if (group.id !== undefined && !stored[id])
          throw new KeywardError('not_found', 'This group no longer exists.');
        stored[id] = normalized;
        await local.set({ [KEY]: stored });
        return { id, ...normalized };
      }),

    remove: (id: string) =>
      serial(async () => {
        const stored = await read();
        delete stored[id];
        await local.set({ [KEY]: stored });
      }),

    /** The group as a file to hand to others; `fingerprintOf` adds each member's pinned fingerprint when known. */
    async exportFile(id: string, fingerprintOf: (email: string) => string | undefined) {
      const group = (await serial(read))[id];
      if (!group) throw new KeywardError('not_found', 'This group no longer exists.');
      const members = group.members.map((m) => {
        const fingerprint = m.fingerprint ?? fingerprintOf(m.email);
        return fingerprint ? { email: m.email, fingerprint } : { email: m.email };
      });
      const file = { type: 'keyward-group', version: 1, name: group.name, members };
      const base = group.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'group';
      return { filename: `${base}.keyward-group.json`, text: `${JSON.stringify(file, null, 2)}\n` };
    },

    /** Reads a group file; a group of the same name is replaced (the team lead sent a newer list). */
    importFile: (text: string) =>
      serial(async () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw invalidInput('This is not a Keyward group file (it is not JSON).');
        }
        const parsed = fileSchema.safeParse(json);
        if (!parsed.success) throw invalidInput('This is not a Keyward group file, or it is damaged.');
        const normalized = normalizeGroup(parsed.data.name, parsed.data.members);
        const stored = await read();
        const id = Object.entries(stored).find(([, g]) => g.name === normalized.name)?.[0] ?? newId();
        stored[id] = normalized;
        await local.set({ [KEY]: stored });
        return { id, ...normalized };
      }),
  };
}

export type GroupsStore = ReturnType<typeof createGroupsStore>;
