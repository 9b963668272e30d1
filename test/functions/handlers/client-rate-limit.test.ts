/** Which IP a public call is counted against. */
import { describe, expect, it } from 'vitest';
import { clientIp } from '../../../functions/handlers/client-rate-limit.ts';
import { apiEvent } from './support.ts';

const behindCloudFront = { DSAR_CLIENT_IP_HEADER: 'cloudfront-viewer-address' };

describe('the client IP', () => {
  it('is API Gateway\'s source IP, and a header the caller sets is ignored when the stack named none', () => {
    const event = apiEvent({ headers: { 'cloudfront-viewer-address': '198.51.100.7:443', 'x-forwarded-for': '198.51.100.8' } });

    expect(clientIp(event, {})).toBe('192.0.2.1');
  });

  it('is the viewer address CloudFront sets, without its port, where the stack says every call comes through CloudFront', () => {
    expect(clientIp(apiEvent({ headers: { 'CloudFront-Viewer-Address': '198.51.100.7:50123' } }), behindCloudFront)).toBe('198.51.100.7');
    expect(clientIp(apiEvent({ headers: { 'cloudfront-viewer-address': '2001:db8::7:50123' } }), behindCloudFront)).toBe('2001:db8::7');
  });

  it('falls back to the source IP when that header is missing or malformed', () => {
    expect(clientIp(apiEvent(), behindCloudFront)).toBe('192.0.2.1');
    expect(clientIp(apiEvent({ headers: { 'cloudfront-viewer-address': 'garbage' } }), behindCloudFront)).toBe('192.0.2.1');
  });
});
