/** Where the player asks for a signed playlist (the request itself runs against the real stack in demo/stack/native-playlist.test.ts). */
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';
import { HLS_MIME, playsHlsNatively } from './signed-playlist.ts';

const media = (answer: CanPlayTypeResult) => ({ canPlayType: (type: string): CanPlayTypeResult => (type === HLS_MIME ? answer : '') });
class MediaSource {}

describe('playsHlsNatively', () => {
  it('is true only where the browser plays HLS itself and MSE is absent or not wanted', () => {
    // An older iPhone: native HLS, no MSE, no ManagedMediaSource.
    expect(playsHlsNatively(media('maybe'), {}, false)).toBe(true);
    // iOS 17.1+: ManagedMediaSource exists, so the engines play (query mode, with its 403 recovery).
    expect(playsHlsNatively(media('maybe'), { ManagedMediaSource: MediaSource }, false)).toBe(false);
    expect(playsHlsNatively(media('probably'), { MediaSource }, false)).toBe(false);
    // Safari or WebKitGTK with MSE whose page asks for native HLS (option `native`).
    expect(playsHlsNatively(media('maybe'), { MediaSource }, true)).toBe(true);
    // No HLS of its own: never.
    expect(playsHlsNatively(media(''), {}, false)).toBe(false);
    expect(playsHlsNatively(media(''), {}, true)).toBe(false);
  });

  it('is an option, off by default, checked like the others', () => {
    const base = { src: 'https://media.example.edu/lectures/AbCdEfGhIjKlMnOpQrSt/master.m3u8', getToken: async () => 't', sessionUrl: 'https://media.example.edu/_auth/session' };
    expect(resolveOptions(base).signedPlaylist).toBe(false);
    expect(resolveOptions({ ...base, signedPlaylist: true }).signedPlaylist).toBe(true);
    expect(() => resolveOptions({ ...base, signedPlaylist: 'yes' as unknown as boolean })).toThrow(/signedPlaylist/);
  });
});
