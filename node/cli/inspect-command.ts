import type { NamedKey } from '../inspect';
import { COMMON_HELP, COMMON_OPTIONS, keywardFrom } from './cli-context';
import { say, type Command } from './command';
import { CommandFailure, EXIT } from './exit-codes';
import { openInput } from './file-io';

const ENCRYPTION_NAMES = {
  seipdv2: 'SEIPDv2 (RFC 9580 AEAD, checked chunk by chunk)',
  seipdv1: 'SEIPDv1 (CFB with an integrity check at the end; what GnuPG 2.2 writes)',
  'librepgp-aead': "GnuPG 2.3+'s OCB packet (not RFC 9580; Keyward does not read it)",
  unprotected: 'no integrity protection (refused when decrypting)',
};

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'who a file is for (and who signed it, when visible), without any key',
  help: `Usage: keyward inspect [options] [FILE|-]

Reads only the head of FILE (or standard input) and says how it is encrypted and for which keys,
naming those pinned in the keyring. Needs no private key and no passphrase.

Who signed an encrypted file cannot be seen without decrypting it: the signature is inside the
encryption (use keyward verify). For a signed message that is not encrypted, or a detached signature,
the signing keys are listed.

Options:
  --json             the same as JSON on standard output
${COMMON_HELP}

Exit codes: 0 read; 2 not an OpenPGP file (or unreadable).`,
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  async run(values, [path]) {
    const keyward = keywardFrom(values);
    const input = openInput(path);
    let info;
    try {
      info = await keyward.inspect(input.stream);
    } finally {
      await input.stream.cancel().catch(() => {});
    }
    if (values.json) {
      say(JSON.stringify(info));
      return 0;
    }
    if (info.encryption === null && info.signers.length === 0) {
      throw new CommandFailure(EXIT.usage, 'This OpenPGP file is neither encrypted nor signed.');
    }
    say(`encryption: ${info.encryption === null ? 'none' : ENCRYPTION_NAMES[info.encryption]}`);
    if (info.aead) say(`  cipher: AES with ${info.aead.toUpperCase()}`);
    if (info.encryption !== null) {
      say('for:');
      for (const r of info.recipients) say(`  ${named(r)}`);
      if (info.hiddenRecipients > 0) say(`  ${info.hiddenRecipients} hidden recipient(s)`);
      if (info.passwordProtected) say('  a password');
      say('signed by: not visible without decrypting (keyward verify --key KEYFILE)');
    } else {
      say('signed by:');
      for (const s of info.signers) say(`  ${named(s)}`);
    }
    return 0;
  },
};

function named(key: NamedKey): string {
  const who = key.userIds[0] ?? 'not in the keyring';
  return `${who} (key ${key.keyId}${key.fingerprint ? `, ${key.fingerprint}` : ''})`;
}
