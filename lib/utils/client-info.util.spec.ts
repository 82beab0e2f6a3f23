import { describe, expect, it } from '@jest/globals';
import { clientAddress, normaliseIpAddress, normaliseUserAgent, readClientInfo } from './client-info.util.js';

describe('client info', () => {
  it('keeps the first address of a list, only if it is an IP', () => {
    expect(normaliseIpAddress('1.1.1.1, 2.2.2.2')).toBe('1.1.1.1');
    expect(normaliseIpAddress(' 2001:db8::1 ')).toBe('2001:db8::1');
    expect(normaliseIpAddress('not-an-ip, 1.1.1.1')).toBeNull();
    expect(normaliseIpAddress('')).toBeNull();
    expect(normaliseIpAddress(undefined)).toBeNull();
  });

  it('strips control characters and cuts user agents to 512 characters without splitting one', () => {
    expect(normaliseUserAgent('curl\u0000/8\n')).toBe('curl/8');
    const long = '😀'.repeat(600);
    expect(Array.from(normaliseUserAgent(long))).toHaveLength(512);
    expect(normaliseUserAgent(long).isWellFormed()).toBe(true);
  });

  it('reads the configured headers, else the socket', () => {
    const request = { headers: { 'x-real-ip': '9.9.9.9', 'user-agent': 'ua' }, socket: { remoteAddress: '127.0.0.1' } };
    expect(readClientInfo(request, { userAgentHeader: 'user-agent' })).toEqual({
      ipAddress: '127.0.0.1',
      userAgent: 'ua',
    });
    expect(readClientInfo(request, { ipAddressHeader: 'X-Real-IP', userAgentHeader: 'user-agent' }).ipAddress).toBe(
      '9.9.9.9',
    );
    expect(clientAddress({ ...request, headers: { 'x-real-ip': 'junk' } }, { ipAddressHeader: 'x-real-ip' })).toBe(
      '127.0.0.1',
    );
  });

  it('counts hits against the socket address unless a header is configured, whatever the proxy headers say', () => {
    const request = {
      headers: { 'x-forwarded-for': '9.9.9.9', 'x-real-ip': '8.8.8.8', forwarded: 'for=7.7.7.7' },
      socket: { remoteAddress: '127.0.0.1' },
      // What Express (trust proxy) and Fastify (trustProxy) would make of the header.
      ip: '9.9.9.9',
    };
    expect(clientAddress(request, {})).toBe('127.0.0.1');
    expect(clientAddress({ headers: request.headers, raw: { socket: { remoteAddress: '::1' } } }, {})).toBe('::1');
    expect(clientAddress({ headers: request.headers }, {})).toBe('unknown');
    expect(clientAddress(request, { ipAddressHeader: 'x-forwarded-for' })).toBe('9.9.9.9');
  });
});
