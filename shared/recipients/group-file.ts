import { z } from 'zod';
import { invalidInput } from '../errors';
import { Email, Fingerprint } from '../identity';

export const MAX_GROUP_MEMBERS = 200;
const MAX_NAME = 100;

/** One member of a group: an address and, when whoever made the group knew it, the key fingerprint to pin. */
export interface GroupMember {
  readonly email: Email;
  readonly fingerprint?: Fingerprint;
}

export interface Group {
  readonly name: string;
  readonly members: readonly GroupMember[];
}

/** The file a team lead hands to the team: `<name>.keyward-group.json`. */
const fileSchema = z.object({
  type: z.literal('keyward-group'),
  version: z.literal(1),
  name: z.string().trim().min(1).max(MAX_NAME),
  members: z
    .array(z.object({ email: z.string().max(254), fingerprint: z.string().max(80).optional() }))
    .max(MAX_GROUP_MEMBERS),
});

/** Checks and normalises a group: a name, at most 200 members, valid addresses and fingerprints, no duplicates. */
export function normalizeGroup(
  name: string,
  members: readonly { email: string; fingerprint?: string }[],
): { name: string; members: GroupMember[] } {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw invalidInput('A group needs a name.');
  if (trimmed.length > MAX_NAME) throw invalidInput(`A group name has at most ${MAX_NAME} characters.`);
  if (members.length > MAX_GROUP_MEMBERS)
    throw invalidInput(`A group has at most ${MAX_GROUP_MEMBERS} members.`);
  const seen = new Set<string>();
  const normalized: GroupMember[] = [];
  for (const m of members) {
    const email = Email.parse(m.email);
    if (seen.has(email)) continue;
    seen.add(email);
    const fingerprint = m.fingerprint ? Fingerprint.parse(m.fingerprint) : undefined;
    normalized.push(fingerprint ? { email, fingerprint } : { email });
  }
  return { name: trimmed, members: normalized };
}

/** Reads a `*.keyward-group.json` file's text; anything else (or a damaged one): `invalid_input`. */
export function parseGroupFile(text: string): { name: string; members: GroupMember[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidInput('This is not a Keyward group file (it is not JSON).');
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw invalidInput('This is not a Keyward group file, or it is damaged.');
  return normalizeGroup(parsed.data.name, parsed.data.members);
}

/** A group as a file to hand to others, with a file name made from the group's name. */
export function formatGroupFile(group: {
  name: string;
  members: readonly { email: string; fingerprint?: string }[];
}): { filename: string; text: string } {
  const members = group.members.map((m) =>
    m.fingerprint ? { email: m.email, fingerprint: m.fingerprint } : { email: m.email },
  );
  const file = { type: 'keyward-group', version: 1, name: group.name, members };
  const base = group.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'group';
  return { filename: `${base}.keyward-group.json`, text: `${JSON.stringify(file, null, 2)}\n` };
}
