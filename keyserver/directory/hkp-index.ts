import type { keyIndexEntry } from '../keys';

type IndexEntry = Awaited<ReturnType<typeof keyIndexEntry>>;

/**
 * The machine-readable HKP index (draft-shaw-openpgp-hkp §5.2): `info:1:N`, then `pub:` and `uid:` lines.
 * It must never start with `<`, or GnuPG takes it for an HTML error page.
 */
export function machineReadableIndex(entries: IndexEntry[]): string {
  const lines = [`info:1:${entries.length}`];
  for (const e of entries) {
    const flags = `${e.revoked ? 'r' : ''}${e.expired ? 'e' : ''}`;
    lines.push(
      `pub:${e.fingerprint}:${e.algorithm}:${e.bits}:${seconds(e.created)}:${seconds(e.expires)}:${flags}`,
    );
    for (const u of e.userIds) {
      lines.push(
        `uid:${escapeUid(u.userId)}:${seconds(u.created)}:${seconds(u.expires)}:${u.revoked ? 'r' : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A plain-text index for people (op=index without options=mr). */
export function humanIndex(entries: IndexEntry[]): string {
  return entries
    .map((e) =>
      [
        `pub  ${e.fingerprint}  created ${new Date(e.created).toISOString().slice(0, 10)}${e.revoked ? '  [revoked]' : ''}${e.expired ? '  [expired]' : ''}`,
        ...e.userIds.map((u) => `uid  ${u.userId}`),
      ].join('\n'),
    )
    .join('\n\n');
}

function seconds(ms: number | null): string {
  return ms === null ? '' : String(Math.floor(ms / 1000));
}

/** §5.2: ':' and '%' and anything outside printable ASCII are percent-escaped, as UTF-8 bytes. */
function escapeUid(uid: string): string {
  return Array.from(new TextEncoder().encode(uid), (b) =>
    b < 0x20 || b > 0x7e || b === 0x3a || b === 0x25
      ? `%${b.toString(16).toUpperCase().padStart(2, '0')}`
      : String.fromCharCode(b),
  ).join('');
}
