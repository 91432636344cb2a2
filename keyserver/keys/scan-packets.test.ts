import { describe, expect, it } from 'vitest';
import { scanPackets } from './scan-packets';

const bytes = (...b: number[]) => new Uint8Array(b);
const body = (n: number) => new Array<number>(n).fill(7);

describe('scanPackets: RFC 9580 §4.2 headers', () => {
  it.each([
    ['OpenPGP format, one-octet length', bytes(0xcd, 3, ...body(3)), 13, 3],
    ['OpenPGP format, two-octet length', bytes(0xc2, 0xc0, 0x08, ...body(200)), 2, 200],
    ['OpenPGP format, five-octet length', bytes(0xc6, 0xff, 0, 0, 0, 2, ...body(2)), 6, 2],
    ['legacy format, one-octet length', bytes(0xb4, 2, ...body(2)), 13, 2],
    ['legacy format, two-octet length', bytes(0x99, 0, 4, ...body(4)), 6, 4],
    ['legacy format, four-octet length', bytes(0x8a, 0, 0, 0, 1, ...body(1)), 2, 1],
  ])('reads %s', (_name, input, tag, length) => {
    const [p] = scanPackets(input);
    expect(p!.tag).toBe(tag);
    expect(p!.body.length).toBe(length);
    expect(p!.bytes).toEqual(input);
  });

  it('splits consecutive packets, keeping their exact bytes', () => {
    const input = bytes(0xc6, 1, 9, 0xb4, 2, 8, 8);
    expect(scanPackets(input).map((p) => [p.tag, [...p.bytes]])).toEqual([
      [6, [0xc6, 1, 9]],
      [13, [0xb4, 2, 8, 8]],
    ]);
  });

  it.each([
    ['nothing', bytes(), /empty/],
    ['a byte without the packet bit', bytes(0x41), /not OpenPGP key data/],
    ['junk after a packet', bytes(0xc6, 1, 9, 0x41), /damaged at byte 3/],
    ['a header cut short', bytes(0xc6), /truncated inside a packet header/],
    ['a body cut short', bytes(0xc6, 5, 1, 2), /truncated/],
    ['a partial body length', bytes(0xc6, 0xe0, 1), /partial body lengths/],
    ['an indeterminate legacy length', bytes(0x9b, 1, 2), /indeterminate/],
  ])('refuses %s', (_name, input, message) => {
    expect(() => scanPackets(input)).toThrow(message);
  });
});
