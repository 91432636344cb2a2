import { readFile, stat } from 'node:fs/promises';
import { invalidInput } from '../shared/errors';
import { parseGroupFile, type Group } from '../shared/recipients/group-file';

/** Far above 200 members with fingerprints; anything larger is not a group file. */
const MAX_GROUP_FILE_BYTES = 256 * 1024;

/**
 * Reads a `*.keyward-group.json` file (the extension's _Save as file_): a name, the members' addresses and the
 * fingerprints its author had pinned, which encrypting to the group pins for addresses not pinned yet.
 */
export async function readGroupFile(path: string): Promise<Group> {
  if ((await stat(path)).size > MAX_GROUP_FILE_BYTES) {
    throw invalidInput(`${path} is too large to be a Keyward group file.`);
  }
  return parseGroupFile(await readFile(path, 'utf8'));
}
