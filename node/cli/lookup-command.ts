import { COMMON_HELP, COMMON_OPTIONS, keywardFrom } from './cli-context';
import { say, type Command } from './command';

export const lookupCommand: Command = {
  name: 'lookup',
  summary: 'find the key for an address and pin it (trust on first use)',
  help: `Usage: keyward lookup [options] ADDRESS...

Looks each address up now, in the sources' order (a Keyward keyserver, the address's own domain by WKD,
keys.openpgp.org), and keeps only a key with a valid user id for exactly that address, not revoked or
expired, able to encrypt. The first key found for an address is pinned to it in the keyring; later
encryptions use that key, and a different key offered later is refused until you decide (keyward keys).

Options:
  --json             one JSON object per address on standard output
${COMMON_HELP}

Exit codes: 0 found; 3 no usable key anywhere; 4 the pinned key changed; 5 the pinned key is revoked or
expired; 9 a source or the keyring failed.`,
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
  positionals: { min: 1, max: 100 },
  async run(values, addresses) {
    const keyward = keywardFrom(values);
    for (const address of addresses) {
      const found = await keyward.lookup(address);
      if (values.json) {
        const { armored: _armored, ...report } = found;
        say(JSON.stringify(report));
        continue;
      }
      say(`${found.email}: ${found.fingerprint}`);
      say(`  user id: ${found.userId}`);
      say(`  ${found.newlyPinned ? 'pinned now (first use)' : 'pinned before; unchanged'}`);
      for (const line of found.attempts) say(`  ${line}`);
    }
    return 0;
  },
};
