import { KeywardError, invalidInput } from '../../shared/errors';

/** The refusals an uploader most needs to understand, worded once. */
export const keyRefusals = {
  privateKey(): KeywardError {
    return invalidInput(
      'This is a private key. Upload only your public key; your private key must never leave your device.',
    );
  },

  /** RFC 9580 §5.5.2: v3 keys are obsolete (MD5 fingerprints, trivially forged key IDs); v5 is LibrePGP, not OpenPGP. */
  keyVersion(version: number | undefined): KeywardError {
    switch (version) {
      case 2:
      case 3:
        return invalidInput(
          `This is a version ${version} key (PGP 2.x era). Such keys are insecure and not accepted; ` +
            'create a new OpenPGP key (version 4 or 6).',
        );
      case 5:
        return invalidInput(
          'This is a version 5 key (LibrePGP, made by GnuPG 2.4 on request). Only OpenPGP version 4 and ' +
            'version 6 (RFC 9580) keys are accepted; create a version 4 key to share it with most software.',
        );
      default:
        return invalidInput(
          `This key has an unknown version (${version ?? 'none'}); only versions 4 and 6 are accepted.`,
        );
    }
  },

  tooLarge(what: string, bytes: number, limit: number): KeywardError {
    return new KeywardError(
      'too_large',
      `${what} is ${formatBytes(bytes)}; the limit is ${formatBytes(limit)}.`,
    );
  },
};

function formatBytes(n: number): string {
  return n >= 1024 ? `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB` : `${n} bytes`;
}
