import { isIPv6 } from 'node:net';
import type { Context } from 'koa';

/**
 * Who a request counts against for rate limits. An IPv6 client usually holds a whole /64 (2^64 addresses), so
 * limits apply per /64; IPv4-mapped IPv6 addresses count as the IPv4 address they are.
 */
export function clientOf(ctx: Pick<Context, 'ip'>): { ip: string } {
  return { ip: memoisedSubject(ctx.ip) };
}

// Validating and normalising an IPv6 address costs about a microsecond (node's isIPv6 is one large regex) and runs
// on every lookup, while a client sends many requests: remember recent answers. The mapping is pure, so a stale
// entry cannot exist; the bound keeps a flood of distinct addresses from growing it (it then starts afresh). The
// cached subject is the same string each time, so the rate limiter's map lookups need not hash it again.
const MEMO_MAX = 20_000;
const memo = new Map<string, string>();

function memoisedSubject(ip: string): string {
  let subject = memo.get(ip);
  if (subject === undefined) {
    subject = rateLimitSubject(ip);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(ip, subject);
  }
  return subject;
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
