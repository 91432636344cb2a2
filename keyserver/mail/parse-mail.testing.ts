import { decrypt, readMessage, readPrivateKey } from 'openpgp';
import { READ_CONFIG } from '../../shared/openpgp/profile';

/**
 * Test helper: a small RFC 5322 / MIME reader, enough to check what the mailers write (headers, transfer
 * encodings, multipart bodies) without trusting the library that wrote it.
 */
export interface ParsedMail {
  headers: [name: string, value: string][];
  /** The one value of a header (decoded RFC 2047 words); throws when it appears more than once. */
  header(name: string): string | undefined;
  /** The body after Content-Transfer-Encoding, as UTF-8. */
  text: string;
  /** The parts of a multipart body, in order. */
  parts: ParsedMail[];
}

export function parseMail(raw: string | Buffer): ParsedMail {
  const source = (typeof raw === 'string' ? raw : raw.toString('latin1')).replace(/\r\n/g, '\n');
  const end = source.indexOf('\n\n');
  const head = end === -1 ? source : source.slice(0, end);
  const body = end === -1 ? '' : source.slice(end + 2);
  const headers = head
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')
    .filter(Boolean)
    .map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    });
  const header = (name: string) => {
    const values = headers
      .filter(([n]) => n.toLowerCase() === name.toLowerCase())
      .map(([, v]) => decodeWords(v));
    if (values.length > 1) throw new Error(`header ${name} appears ${values.length} times`);
    return values[0];
  };
  const contentType = header('Content-Type') ?? 'text/plain';
  const boundary = /^multipart\//i.test(contentType)
    ? /boundary="?([^";]+)"?/i.exec(contentType)?.[1]
    : undefined;
  const parts =
    boundary === undefined
      ? []
      : body
          .split(`--${boundary}`)
          .slice(1, -1)
          .map((p) => parseMail(p.replace(/^\n/, '').replace(/\n$/, '')));
  return { headers, header, text: decodeBody(body, header('Content-Transfer-Encoding')), parts };
}

/** Decrypts the PGP/MIME mail (RFC 3156) and returns its inner MIME entity, parsed. */
export async function decryptPgpMime(raw: string | Buffer, privateKey: Uint8Array): Promise<ParsedMail> {
  const mail = parseMail(raw);
  const armored = mail.parts[1]?.text;
  if (armored === undefined) throw new Error('not a PGP/MIME mail: no second part');
  const result: { data: unknown } = await decrypt({
    message: await readMessage({ armoredMessage: armored, config: READ_CONFIG }),
    decryptionKeys: await readPrivateKey({ binaryKey: privateKey }),
    format: 'binary',
    config: READ_CONFIG,
  });
  return parseMail(Buffer.from(result.data as Uint8Array).toString('latin1'));
}

function decodeBody(body: string, encoding = '7bit'): string {
  const bytes =
    encoding.toLowerCase() === 'quoted-printable'
      ? qpBytes(body)
      : encoding.toLowerCase() === 'base64'
        ? Buffer.from(body, 'base64')
        : Buffer.from(body, 'latin1');
  return bytes.toString('utf8');
}

function qpBytes(s: string): Buffer {
  const soft = s.replace(/=\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(soft.charCodeAt(i));
    }
  }
  return Buffer.from(out);
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=); white space between two words is dropped. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset: string, enc: string, text: string) =>
      (enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' '))).toString(
        'utf8',
      ),
    );
}
