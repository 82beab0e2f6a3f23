import { isIP, isIPv4, isIPv6 } from 'node:net';
import { MAX_USER_AGENT_LENGTH } from '../password-reset.constants.js';

/** Who asked for a token, as stored on it and passed to listeners. */
export interface PasswordResetClientInfo {
  ipAddress?: string | null;
  userAgent?: string | null;
}

/** The parts of an Express or Fastify request this module reads. */
export interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  raw?: { socket?: { remoteAddress?: string } };
}

function header(request: HttpRequestLike, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The first address of a comma list, kept only if it really is an IP address. An IPv4 address written as
 * IPv6 (`::ffff:1.2.3.4`, `::ffff:102:304`, ...; how dual-stack sockets report IPv4 clients) becomes plain IPv4.
 */
export function normaliseIpAddress(value: string | null | undefined): string | null {
  const first = value?.split(',')[0].trim() ?? '';
  if (first.length > 45) return null;
  // How a dual-stack socket reports every IPv4 client, so on every request: no need to expand the groups.
  const dottedTail = /^::ffff:/i.test(first) ? first.slice(7) : undefined;
  if (dottedTail !== undefined && isIPv4(dottedTail)) return dottedTail;
  const version = isIP(first);
  if (!version) return null;
  return version === 6 ? (mappedIpv4(ipv6Groups(first)) ?? first) : first;
}

/** The eight 16-bit groups of a valid IPv6 address (zone dropped, `::` expanded, an IPv4 tail split in two). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const ipv4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail.slice(1).map(Number);
    text = `${text.slice(0, ipv4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const [front, back] = [parse(head), parse(tail)];
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:0:0/96), else undefined. */
function mappedIpv4(groups: number[]): string | undefined {
  if (groups.slice(0, 5).some((group) => group !== 0) || groups[5] !== 0xffff) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/**
 * Control characters (PostgreSQL rejects NUL) and format characters removed, then cut to the column's 512
 * characters. Format characters include the bidirectional overrides (U+202E ...) that would let the text an
 * attacker sends reorder itself in a mail or admin page that shows it.
 */
export function normaliseUserAgent(value: string | null | undefined): string {
  const clean = (value ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '');
  return Array.from(clean).slice(0, MAX_USER_AGENT_LENGTH).join('');
}

function socketAddress(request: HttpRequestLike): string | undefined {
  return (request.socket ?? request.raw?.socket)?.remoteAddress;
}

export function readClientInfo(
  request: HttpRequestLike,
  options: { ipAddressHeader?: string; userAgentHeader: string },
): PasswordResetClientInfo {
  const ip = options.ipAddressHeader ? header(request, options.ipAddressHeader) : socketAddress(request);
  return { ipAddress: normaliseIpAddress(ip), userAgent: normaliseUserAgent(header(request, options.userAgentHeader)) };
}

/** Who to count a hit against: the configured header's address, else the socket's, never nothing. */
export function clientAddress(request: HttpRequestLike, options: { ipAddressHeader?: string }): string {
  const fromHeader = options.ipAddressHeader ? normaliseIpAddress(header(request, options.ipAddressHeader)) : null;
  const socket = socketAddress(request);
  return fromHeader ?? normaliseIpAddress(socket) ?? socket ?? 'unknown';
}

/**
 * The throttle identity of an address: an IPv4 address as it is, an IPv6 address by its first `ipv6Prefix`
 * bits. One subscriber or host usually holds a whole /64, so counting each /128 would give it 2^64 counters.
 */
export function clientThrottleKey(address: string, ipv6Prefix: number): string {
  // An IPv4 address (every client, behind most proxies) skips the IPv6 pattern.
  if (!address.includes(':') || !isIPv6(address.split('%')[0])) return address;
  const groups = ipv6Groups(address).map((group, index) => {
    const kept = Math.min(16, Math.max(0, ipv6Prefix - index * 16));
    return group & (0xffff << (16 - kept)) & 0xffff;
  });
  return `${groups.map((group) => group.toString(16)).join(':')}/${ipv6Prefix}`;
}
