import { describe, expect, it } from 'vitest';
import { clientOf, rateLimitSubject } from './client-address';

describe('rate-limit subject of a client address', () => {
  it.each([
    ['IPv4 as it is', '203.0.113.7', '203.0.113.7'],
    ['IPv4-mapped IPv6 as IPv4', '::ffff:203.0.113.7', '203.0.113.7'],
    ['IPv6 by its /64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    [
      'rate-limit evasion: another address in the same /64 counts the same',
      '2001:db8:1:2::9',
      '2001:db8:1:2::/64',
    ],
    ['a compressed address', '2001:db8::1', '2001:db8:0:0::/64'],
    ['leading zeros and case', '2001:0DB8:0001:0002::1', '2001:db8:1:2::/64'],
    ['loopback', '::1', '0:0:0:0::/64'],
  ])('%s', (_name, ip, subject) => {
    expect(rateLimitSubject(ip)).toBe(subject);
  });
});

describe('client of a request', () => {
  it('is the rate-limit subject of its address, the same when asked again', () => {
    for (let i = 0; i < 2; i++) {
      expect(clientOf({ ip: '2001:db8:1:2::9' })).toEqual({ ip: '2001:db8:1:2::/64' });
      expect(clientOf({ ip: '::ffff:203.0.113.7' })).toEqual({ ip: '203.0.113.7' });
    }
  });
});
