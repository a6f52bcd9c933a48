/**
 * Test helper: CloudFront cookies signed with node:crypto alone, independent of the auth server,
 * so the stand-in's checks are tested against a second implementation of the signing rules.
 */
import { type KeyObject, sign } from 'node:crypto';
import { toCloudFrontBase64 } from '../../common/cloudfront-base64.ts';

export interface PolicyConditions {
  resource: string;
  dateLessThan: number;
  dateGreaterThan?: number;
  sourceIp?: string;
}

/** A custom policy as CloudFront documents it: compact JSON, times in seconds. */
export function customPolicy(c: PolicyConditions): string {
  const condition: Record<string, unknown> = { DateLessThan: { 'AWS:EpochTime': c.dateLessThan } };
  if (c.dateGreaterThan !== undefined) condition.DateGreaterThan = { 'AWS:EpochTime': c.dateGreaterThan };
  if (c.sourceIp !== undefined) condition.IpAddress = { 'AWS:SourceIp': c.sourceIp };
  return JSON.stringify({ Statement: [{ Resource: c.resource, Condition: condition }] });
}

export function cloudFrontSignature(policy: string | Buffer, privateKey: KeyObject | string): string {
  return toCloudFrontBase64(sign('RSA-SHA1', Buffer.from(policy), privateKey).toString('base64'));
}

/** The three cookies for `policy` (any text, so tests can sign malformed policies too). */
export function signedCookies(policy: string, privateKey: KeyObject | string, keyPairId: string): Record<string, string> {
  return {
    'CloudFront-Policy': toCloudFrontBase64(Buffer.from(policy).toString('base64')),
    'CloudFront-Signature': cloudFrontSignature(policy, privateKey),
    'CloudFront-Key-Pair-Id': keyPairId,
  };
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}
