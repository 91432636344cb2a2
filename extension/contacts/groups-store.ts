import { z } from 'zod';
import { emailSchema, fingerprintSchema } from '../../shared/identity';
import { KeywardError } from '../../shared/errors';
import {
  formatGroupFile,
  MAX_GROUP_MEMBERS,
  normalizeGroup,
  parseGroupFile,
} from '../../shared/recipients/group-file';
import { serialQueue } from '../../shared/serial-queue';
import type { Group } from '../model';
import type { StorageArea } from '../platform/storage';

const KEY = 'groups';
export { MAX_GROUP_MEMBERS, normalizeGroup };

const memberSchema = z.object({ email: emailSchema, fingerprint: fingerprintSchema.optional() });
const storedSchema = z.record(z.string(), z.object({ name: z.string(), members: z.array(memberSchema) }));

export interface GroupsDeps {
  readonly local: StorageArea;
  readonly newId: () => string;
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
      return formatGroupFile({ name: group.name, members });
    },

    /** Reads a group file; a group of the same name is replaced (the team lead sent a newer list). */
    importFile: (text: string) =>
      serial(async () => {
        const normalized = parseGroupFile(text);
        const stored = await read();
        const id = Object.entries(stored).find(([, g]) => g.name === normalized.name)?.[0] ?? newId();
        stored[id] = normalized;
        await local.set({ [KEY]: stored });
        return { id, ...normalized };
      }),
  };
}

export type GroupsStore = ReturnType<typeof createGroupsStore>;
