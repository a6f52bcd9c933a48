import { describe, expect, it } from 'vitest';
import { appendSignedQuery, hasSignedQuery, stripSignedQuery } from './signed-url.ts';

const Q = 'Policy=eyJ~a-_&Signature=c2l~n_-&Key-Pair-Id=KDEV01';
const SEG = 'https://media.example.edu/lectures/AbCdEfGhIjKlMnOp/720p/seg_00001.ts';

describe('query-mode URLs', () => {
  it('appends the query at the end, after the URL’s own parameters', () => {
    expect(appendSignedQuery(SEG, Q)).toBe(`${SEG}?${Q}`);
    expect(appendSignedQuery(`${SEG}?v=2`, Q)).toBe(`${SEG}?v=2&${Q}`);
    expect(appendSignedQuery(`${SEG}#t=1`, Q)).toBe(`${SEG}?${Q}`);
  });

  it('replaces an older signature instead of adding a second one', () => {
    const old = appendSignedQuery(`${SEG}?v=2`, 'Policy=old&Signature=old&Key-Pair-Id=KOLD');
    expect(appendSignedQuery(old, Q)).toBe(`${SEG}?v=2&${Q}`);
  });

  it('strips exactly the signing parameters, keeping the others in their order', () => {
    expect(stripSignedQuery(`${SEG}?${Q}`)).toBe(SEG);
    expect(stripSignedQuery(`${SEG}?a=1&${Q}&b=2`)).toBe(`${SEG}?a=1&b=2`);
    expect(stripSignedQuery(`${SEG}?Policyx=1&policy=2`)).toBe(`${SEG}?Policyx=1&policy=2`);
    expect(stripSignedQuery(`${SEG}?Expires=1&Hash-Algorithm=SHA256`)).toBe(SEG);
    expect(stripSignedQuery(SEG)).toBe(SEG);
    expect(hasSignedQuery(`${SEG}?${Q}`)).toBe(true);
    expect(hasSignedQuery(`${SEG}?v=1`)).toBe(false);
  });

  it('resolving a relative URI against the unsigned playlist URL never carries the query over', () => {
    const playlist = 'https://media.example.edu/lectures/AbCdEfGhIjKlMnOp/720p/index.m3u8';
    const segment = new URL('seg_00001.ts', stripSignedQuery(appendSignedQuery(playlist, Q))).href;
    expect(segment).toBe(SEG);
    expect(appendSignedQuery(segment, Q)).toBe(`${SEG}?${Q}`);
  });
});
