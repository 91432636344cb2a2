import { COMMON_HELP, COMMON_OPTIONS, keyringPath, keywardFrom } from './cli-context';
import { say, type Command } from './command';
import { UsageError } from './exit-codes';
import { readSmallFile } from './key-file';

const ACTIONS = ['list', 'accept', 'reject', 'remove', 'import'] as const;

export const keysCommand: Command = {
  name: 'keys',
  summary: 'the pinned keyring: list, accept or reject a changed key, remove, import',
  help: `Usage: keyward keys list [--json]
       keyward keys accept ADDRESS      use the new key an address offers from now on
       keyward keys reject ADDRESS      keep the pinned key; that new key is never offered again
       keyward keys remove ADDRESS|FINGERPRINT
       keyward keys import FILE         pin the public keys in FILE (compared with their owners)

The keyring holds the key pinned for each address: the first one seen (trust on first use), or one
imported from a file or named by a group file. When a lookup finds a different key for a pinned
address, nothing is encrypted to that address any more until you compare the fingerprints with its
owner (in person, by phone) and accept or reject the new key.

Options:
  --json             keys list as JSON on standard output
${COMMON_HELP}

Exit codes: 0 done; 2 usage or an unreadable file; 3 nothing pinned or waiting for that address.`,
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
  positionals: { min: 1, max: 2 },
  async run(values, [action, target]) {
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
      throw new UsageError(`Unknown keys action ${JSON.stringify(action)}; use ${ACTIONS.join(', ')}.`);
    }
    if ((action === 'list') !== (target === undefined)) {
      throw new UsageError(
        action === 'list' ? 'keys list takes no argument.' : `keys ${action} needs an argument.`,
      );
    }
    const keyward = keywardFrom(values);
    switch (action) {
      case 'list': {
        const view = await keyward.keys.list();
        if (values.json) say(JSON.stringify(view));
        else printKeyring(view, keyringPath(values));
        return 0;
      }
      case 'accept':
        say(`${target}: now pinned to ${(await keyward.keys.accept(target!)).pinned}`);
        return 0;
      case 'reject':
        say(`${target}: still pinned to ${(await keyward.keys.reject(target!)).pinned}`);
        return 0;
      case 'remove':
        await keyward.keys.remove(target!);
        say(`${target}: removed from the keyring`);
        return 0;
      default: {
        const { imported, changed } = await keyward.keys.import(readSmallFile(target!, 'a public key file'));
        for (const fingerprint of imported) say(`imported ${fingerprint}`);
        for (const email of changed)
          say(`${email}: a different key is pinned; this one waits (keyward keys accept|reject)`);
        return 0;
      }
    }
  },
};

function printKeyring(
  view: Awaited<ReturnType<ReturnType<typeof keywardFrom>['keys']['list']>>,
  path: string,
) {
  say(`keyring: ${path}`);
  if (view.keys.length === 0 && view.changes.length === 0 && view.awaiting.length === 0) say('  (empty)');
  for (const key of view.keys) {
    const flags = [key.revoked && 'REVOKED', key.expired && 'EXPIRED', !key.canEncrypt && 'cannot encrypt']
      .filter(Boolean)
      .join(', ');
    say(`${key.fingerprint}${flags ? `  [${flags}]` : ''}`);
    for (const id of key.userIds) say(`  user id: ${id}`);
    say(
      `  pinned for: ${key.pinnedFor.join(', ') || 'nothing'}; from ${key.source}, checked ${iso(key.refreshedAt)}`,
    );
  }
  for (const change of view.changes) {
    say(
      `KEY CHANGE for ${change.email}: pinned ${change.pinned}, offered ${change.offered} by ${change.source}`,
    );
    say(`  (${iso(change.seenAt)}) compare with its owner, then: keyward keys accept|reject ${change.email}`);
  }
  for (const a of view.awaiting)
    say(`${a.email}: expecting ${a.fingerprint} (from a group file), not found yet`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
