import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUTH_ROUTE,
  EMPTY_BODY_SHA256,
  QUERY_MODE_BODY_SHA256,
  PLAYLIST_MODE_BODY_SHA256,
  authViewerRequest,
  authViewerRequestSource,
  cookiePathOf,
  isAuthPath,
  policyResourceOf,
  type ViewerRequestEvent,
} from './delivery.ts';
import { PLAYLIST_MODE_BODY, QUERY_MODE_BODY } from './contracts.ts';

const event = (headers: ViewerRequestEvent['request']['headers'], method = 'POST'): ViewerRequestEvent => ({ request: { method, headers } });

describe('delivery shape', () => {
  it('routes /_auth and everything under it, nothing else', () => {
    expect(isAuthPath('/_auth')).toBe(true);
    expect(isAuthPath('/_auth/session')).toBe(true);
    expect(isAuthPath('/_authx/session')).toBe(false);
    expect(isAuthPath('/lectures/_auth/x')).toBe(false);
    expect(AUTH_ROUTE.pathPattern).toBe('/_auth/*');
  });

  it('derives the cookie path and the policy resource from res', () => {
    const res = 'https://media.example.edu/lectures/AbCdEfGhIjKlMnOp/';
    expect(cookiePathOf(res)).toBe('/lectures/AbCdEfGhIjKlMnOp/');
    expect(cookiePathOf('http://localhost:8787/a/b/Dir0123456789abcd/')).toBe('/a/b/Dir0123456789abcd/');
    expect(policyResourceOf(res)).toBe(`${res}*`);
  });

  it('carries the viewer token past OAC and sets the empty-body hash', () => {
    expect(EMPTY_BODY_SHA256).toBe(createHash('sha256').update('').digest('hex'));
    const request = authViewerRequest(event({ authorization: { value: 'Bearer abc' }, origin: { value: 'https://m.example.edu' } }));
    expect(request.headers['x-hlsgate-authorization']).toEqual({ value: 'Bearer abc' });
    expect(request.headers['x-amz-content-sha256']).toEqual({ value: EMPTY_BODY_SHA256 });
    expect(request.headers.origin).toEqual({ value: 'https://m.example.edu' });
    // A viewer cannot smuggle a second token past the one in Authorization.
    const forged = authViewerRequest(event({ 'x-hlsgate-authorization': { value: 'Bearer forged' } }));
    expect(forged.headers['x-hlsgate-authorization']).toBeUndefined();
  });

  it('lets the query-mode body hash through and no other a viewer claims', () => {
    expect(QUERY_MODE_BODY_SHA256).toBe(createHash('sha256').update(QUERY_MODE_BODY).digest('hex'));
    const query = authViewerRequest(event({ 'x-amz-content-sha256': { value: QUERY_MODE_BODY_SHA256 } }, 'POST'));
    expect(query.headers['x-amz-content-sha256']).toEqual({ value: QUERY_MODE_BODY_SHA256 });
    const other = createHash('sha256').update('{"mode":"other"}').digest('hex');
    const forged = authViewerRequest(event({ 'x-amz-content-sha256': { value: other } }, 'POST'));
    expect(forged.headers['x-amz-content-sha256']).toEqual({ value: EMPTY_BODY_SHA256 });
  });

  it('lets the playlist-mode body hash through too, as the shipped function', () => {
    expect(PLAYLIST_MODE_BODY_SHA256).toBe(createHash('sha256').update(PLAYLIST_MODE_BODY).digest('hex'));
    const handler = new Function(`${authViewerRequestSource()}\nreturn handler;`)() as (e: ViewerRequestEvent) => ViewerRequestEvent['request'];
    for (const run of [authViewerRequest, (e: ViewerRequestEvent) => handler(e)]) {
      const playlist = run(event({ 'x-amz-content-sha256': { value: PLAYLIST_MODE_BODY_SHA256 } }, 'POST'));
      expect(playlist.headers['x-amz-content-sha256']).toEqual({ value: PLAYLIST_MODE_BODY_SHA256 });
    }
  });

  it('ships a self-contained CloudFront Function that behaves the same', () => {
    const source = authViewerRequestSource();
    // Evaluated with nothing in scope, as CloudFront runs it.
    const handler = new Function(`${source}\nreturn handler;`)() as (e: ViewerRequestEvent) => ViewerRequestEvent['request'];
    const request = handler(event({ authorization: { value: 'Bearer xyz' } }, 'DELETE'));
    expect(request.headers['x-hlsgate-authorization']).toEqual({ value: 'Bearer xyz' });
    expect(request.headers['x-amz-content-sha256']).toEqual({ value: EMPTY_BODY_SHA256 });
    expect(source).not.toMatch(/\bimport\b|\brequire\(/);
    const query = handler(event({ 'x-amz-content-sha256': { value: QUERY_MODE_BODY_SHA256 } }));
    expect(query.headers['x-amz-content-sha256']).toEqual({ value: QUERY_MODE_BODY_SHA256 });
  });
});
