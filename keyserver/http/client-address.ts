import { isIPv6 } from 'node:net';
import type { Context } from 'koa';

/**
 * Who a request counts against for rate limits. An IPv6 client usually holds a whole /64 (2^64 addresses), so
 * limits apply per /64; IPv4-mapped IPv6 addresses count as the IPv4 address they are.
 */
export function clientOf(ctx: Pick<Context, 'ip'>): { ip: string } {
  return { ip: rateLimitSubject(ctx.ip) };
}

export function rateLimitSubject(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
