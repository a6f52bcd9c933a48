/**
 * The local stack's dev routes, standing in for Moodle (videos and view tokens) and for the buttons
 * that break things on purpose. All on the media host, with the page's cookies.
 */
import type { DevVideo } from '../../common/contracts.ts';

export const MEDIA_URL: string = (import.meta.env.VITE_HLSGATE_MEDIA_URL as string | undefined) ?? 'http://localhost:8787';

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(`${MEDIA_URL}${path}`, {
    method,
    credentials: 'include',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const videos = () => call<DevVideo[]>('GET', '/_dev/videos');

export async function token(res: string, options: { ttl?: number; wm?: string } = {}): Promise<string> {
  return (await call<{ token: string }>('POST', '/_dev/token', { res, ...options })).token;
}

export const setCookieTtl = (seconds: number) => call('POST', '/_dev/cookie-ttl', { seconds });
export const authOutage = (seconds: number) => call('POST', '/_dev/auth-outage', { seconds });
/** What a logout does: the auth server clears this video's cookies. */
export const deleteSession = (viewToken: string) => call('DELETE', '/_auth/session', undefined, viewToken);

/** Waits for the sample lectures (the first start ingests them). */
export async function waitForVideos(onWait: (message: string) => void): Promise<DevVideo[]> {
  for (let i = 0; ; i += 1) {
    try {
      const list = await videos();
      if (list.length > 0) return list;
      onWait('The sample lectures are being prepared (first start: about a minute)…');
    } catch {
      onWait(`The local stack does not answer at ${MEDIA_URL}: is \`npm start\` running?`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 1_000 + i * 500)));
  }
}
