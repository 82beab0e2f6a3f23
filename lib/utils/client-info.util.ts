import { isIP } from 'node:net';
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

/** The first address of a comma list, kept only if it really is an IP address. */
export function normaliseIpAddress(value: string | null | undefined): string | null {
  const first = value?.split(',')[0].trim() ?? '';
  return first.length <= 45 && isIP(first) ? first : null;
}

/** Control characters removed (PostgreSQL rejects NUL), then cut to the column's 512 characters. */
export function normaliseUserAgent(value: string | null | undefined): string {
  const clean = (value ?? '').replace(/\p{Cc}/gu, '');
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
  return fromHeader ?? socketAddress(request) ?? 'unknown';
}
