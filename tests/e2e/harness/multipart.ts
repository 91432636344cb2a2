/** The file parts of a multipart/form-data body, as the test server received it. */
export interface FilePart {
  readonly filename: string;
  readonly contentType: string | undefined;
  readonly data: Buffer;
}

export function fileParts(body: Buffer, contentTypeHeader: string | undefined): FilePart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentTypeHeader ?? '');
  if (!boundary) throw new Error(`not multipart: ${contentTypeHeader}`);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: FilePart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (filename !== undefined) {
      parts.push({
        filename,
        contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1],
        data: part.subarray(headerEnd + 4),
      });
    }
    start = next;
  }
  return parts;
}
