import { describe, expect, it } from '@jest/globals';
import {
  clientAddress,
  clientThrottleKey,
  normaliseIpAddress,
  normaliseUserAgent,
  readClientInfo,
} from './client-info.util.js';

describe('client info', () => {
  it('keeps the first address of a list, only if it is an IP', () => {
    expect(normaliseIpAddress('1.1.1.1, 2.2.2.2')).toBe('1.1.1.1');
    expect(normaliseIpAddress(' 2001:db8::1 ')).toBe('2001:db8::1');
    expect(normaliseIpAddress('not-an-ip, 1.1.1.1')).toBeNull();
    expect(normaliseIpAddress('')).toBeNull();
    expect(normaliseIpAddress(undefined)).toBeNull();
  });

  it('strips control and format characters and cuts user agents to 512 characters without splitting one', () => {
    expect(normaliseUserAgent('curl\u0000/8\n')).toBe('curl/8');
    // Bidirectional overrides, isolates and marks, and zero-width characters: text that reorders or hides itself.
    expect(normaliseUserAgent('Mozilla\u202e)cod.exe\u202c \u2066x\u2069\u200f\u200b\ufeff/5.0')).toBe(
      'Mozilla)cod.exe x/5.0',
    );
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

describe('client throttle keys', () => {
  it.each([
    '::ffff:203.0.113.200',
    '::FFFF:203.0.113.200',
    '::ffff:cb00:71c8',
    '0:0:0:0:0:ffff:cb00:71c8',
    '0::ffff:203.0.113.200',
  ])('folds the IPv4-mapped spelling %s to IPv4', (mapped) => {
    expect(normaliseIpAddress(mapped)).toBe('203.0.113.200');
    expect(clientThrottleKey(normaliseIpAddress(mapped)!, 64)).toBe('203.0.113.200');
  });

  it('keeps other IPv6 addresses, and IPv4 ones, as they are', () => {
    expect(normaliseIpAddress('::1')).toBe('::1');
    expect(normaliseIpAddress('64:ff9b::cb00:71c8')).toBe('64:ff9b::cb00:71c8');
    expect(clientThrottleKey('203.0.113.200', 64)).toBe('203.0.113.200');
  });

  it('keys IPv6 clients by their /64, whatever the spelling, or by the prefix asked for', () => {
    const key = clientThrottleKey('2001:db8:1:2::1', 64);
    expect(key).toBe('2001:db8:1:2:0:0:0:0/64');
    for (const same of ['2001:DB8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0:0:0:2', '2001:db8:1:2::a%eth0']) {
      expect(clientThrottleKey(same, 64)).toBe(key);
    }
    expect(clientThrottleKey('2001:db8:1:3::1', 64)).not.toBe(key);
    expect(clientThrottleKey('2001:db8:1:3::1', 48)).toBe(clientThrottleKey('2001:db8:1:2::1', 48));
    expect(clientThrottleKey('2001:db8:1:2::1', 56)).toBe('2001:db8:1:0:0:0:0:0/56');
    expect(clientThrottleKey('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200:0:0:0:0/56');
    expect(clientThrottleKey('2001:db8::1', 128)).not.toBe(clientThrottleKey('2001:db8::2', 128));
    expect(clientThrottleKey('::ffff:1.2.3.4', 128)).toBe('0:0:0:0:0:ffff:102:304/128');
  });

  it('counts an IPv4-mapped socket address as the IPv4 client it is', () => {
    const request = { headers: {}, socket: { remoteAddress: '::ffff:127.0.0.1' } };
    expect(clientAddress(request, {})).toBe('127.0.0.1');
  });
});
