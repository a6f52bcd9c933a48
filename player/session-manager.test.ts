/**
 * The session manager against a real HTTP server on 127.0.0.1 that answers `POST /session` as the
 * contract says, with scripted failures (expired tokens, outages) the real auth server produces too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LABELS, type HlsgateError } from './errors.ts';
import { SessionManager, type SessionInfo, type SessionManagerOptions, type SessionState } from './session-manager.ts';
import { SharedRefresh } from './shared-refresh.ts';
import { ManualTime } from './test-clock.ts';

type Script = (token: string) => { status: number; body: unknown; hold?: Promise<void> };
let server: Server;
let base: string;
let script: Script;
const posts: { token: string; path: string }[] = [];
/** What each POST carried besides the token: its body and the headers query mode adds. */
const bodies: { body: string; contentType: string | undefined; payloadHash: string | undefined; cookie: string | undefined }[] = [];
let queries = 0;
let serverTime = 2_000_000;

const ok = (lifetime = 20, refreshIn = 15) => ({
  status: 200,
  body: { resource: 'x', expiresAt: serverTime + lifetime, refreshIn, serverTime },
});
const fail = (status: number, code: string) => ({ status, body: { error: { code, message: code } } });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const body = Buffer.concat(chunks).toString();
      posts.push({ token, path: req.url ?? '' });
      bodies.push({ body, contentType: req.headers['content-type'], payloadHash: req.headers['x-amz-content-sha256'] as string | undefined, cookie: req.headers.cookie });
      const answer = script(token);
      // As the auth server does: a query-mode success carries the query (unless the script says otherwise).
      const reply = answer.body as Record<string, unknown>;
      if (answer.status === 200 && body === '{"mode":"query"}' && !('query' in reply)) {
        queries += 1;
        reply.query = `Policy=P${queries}&Signature=S${queries}&Key-Pair-Id=KTEST`;
      }
      void (answer.hold ?? Promise.resolve()).then(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  posts.length = 0;
  bodies.length = 0;
  script = () => ok();
});

const DIR_A = 'http://localhost:8787/lectures/AAAAAAAAAAAAAAAAAAAA/';
const DIR_B = 'http://localhost:8787/lectures/BBBBBBBBBBBBBBBBBBBB/';

function manager(overrides: Partial<SessionManagerOptions> & { hub: SharedRefresh<SessionState>; time: ManualTime }) {
  const log = { sessions: [] as { info: SessionInfo; reason: string; joined: boolean }[], errors: [] as HlsgateError[], retries: [] as number[] };
  let tokens = 0;
  const m = new SessionManager({
    src: `${DIR_A}master.m3u8`,
    sessionUrl: `${base}/_auth/session`,
    getToken: async () => `token-${++tokens}`,
    retry: { maxRetry: 3, retryDelayMs: 5, maxRetryDelayMs: 20 },
    refreshMargin: 5,
    labels: DEFAULT_LABELS,
    clock: overrides.time,
    timers: overrides.time,
    onSession: (info, meta) => log.sessions.push({ info, reason: meta.reason, joined: meta.joined }),
    onError: (error) => log.errors.push(error),
    onRetry: (detail) => log.retries.push(detail.delayMs),
    ...overrides,
  });
  return { m, log, tokenCount: () => tokens };
}

/** Lets fetches to the local server complete: until `done` holds (a loaded machine is slow), then a little more. */
async function settle(done?: () => boolean): Promise<void> {
  for (const until = Date.now() + 5_000; done && !done() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('SessionManager', () => {
  it('token → POST /session with the bearer token → a session timed from the answer', async () => {
    const hub = new SharedRefresh<SessionState>();
    const { m, log } = manager({ hub, time: new ManualTime() });
    const state = await m.start();
    expect(posts).toEqual([{ token: 'token-1', path: '/_auth/session' }]);
    expect(state.timing.lifetimeMs).toBe(20_000);
    expect(log.sessions).toHaveLength(1);
    expect(log.sessions[0]).toMatchObject({ reason: 'initial', joined: false, info: { lifetime: 20, refreshAfter: 15 } });
    m.dispose();
  });

  it('refreshes on schedule with the same token, by the server durations', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    time.wallMs = 0; // a client clock far from the server's changes nothing
    const { m, log, tokenCount } = manager({ hub, time });
    await m.start();
    time.advance(14_999);
    await settle();
    expect(posts).toHaveLength(1);
    time.advance(1);
    await settle(() => log.sessions.length === 2);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.token).toBe('token-1');
    expect(tokenCount()).toBe(1);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'scheduled']);
    m.dispose();
  });

  it('asks getToken again when the server says token_expired, and carries on', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log, tokenCount } = manager({ hub, time });
    await m.start();
    script = (token) => (token === 'token-1' ? fail(401, 'token_expired') : ok());
    time.advance(15_000);
    await settle(() => log.sessions.length === 2);
    expect(tokenCount()).toBe(2);
    expect(posts.map((p) => p.token)).toEqual(['token-1', 'token-1', 'token-2']);
    expect(log.errors).toEqual([]);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'scheduled']);
    m.dispose();
  });

  it('a fresh token that is expired too ends the session, fatally and once', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time });
    script = () => fail(401, 'token_expired');
    await expect(m.start()).rejects.toMatchObject({ code: 'session_ended', fatal: true });
    expect(log.errors).toEqual([expect.objectContaining({ code: 'session_ended', message: 'Your session has ended — reload the page' })]);
    expect(time.timerCount).toBe(0);
    m.dispose();
  });

  it('a forged token is "no access", with no retry', async () => {
    const hub = new SharedRefresh<SessionState>();
    const { m, log } = manager({ hub, time: new ManualTime() });
    script = () => fail(401, 'token_invalid');
    await expect(m.start()).rejects.toMatchObject({ code: 'no_access', fatal: true });
    expect(posts).toHaveLength(1);
    expect(log.retries).toEqual([]);
    m.dispose();
  });

  it('no token from the page is "no access" without asking the server', async () => {
    const hub = new SharedRefresh<SessionState>();
    const { m } = manager({ hub, time: new ManualTime(), getToken: async () => '' });
    await expect(m.start()).rejects.toMatchObject({ code: 'no_access', fatal: true });
    expect(posts).toHaveLength(0);
    m.dispose();
  });

  it('retries an unavailable auth server with backoff, then succeeds', async () => {
    const hub = new SharedRefresh<SessionState>();
    let calls = 0;
    script = () => (++calls <= 2 ? fail(503, 'internal') : ok());
    const { m, log } = manager({ hub, time: new ManualTime() });
    await m.start();
    expect(posts).toHaveLength(3);
    expect(log.retries).toHaveLength(2);
    expect(log.retries[0]).toBeGreaterThanOrEqual(2);
    expect(log.retries[0]).toBeLessThanOrEqual(5);
    expect(log.retries[1]).toBeGreaterThanOrEqual(5);
    expect(log.retries[1]).toBeLessThanOrEqual(10);
    m.dispose();
  });

  it('while the auth server is down, keeps the session and keeps trying; recovers when it returns', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time });
    await m.start();
    script = () => fail(503, 'internal');
    time.advance(15_000);
    await settle(() => log.errors.length === 1);
    expect(posts).toHaveLength(1 + 4); // the round's first try and maxRetry retries
    expect(log.errors).toEqual([expect.objectContaining({ code: 'network', fatal: false })]);
    script = () => ok();
    time.advance(20); // the next round after at most maxRetryDelayMs
    await settle(() => log.sessions.length === 2);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'retry']);
    expect(m.current?.timing.receivedMono).toBe(time.mono);
    m.dispose();
  });

  it('players of one video share one request; players of another video have their own', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const a1 = manager({ hub, time });
    const a2 = manager({ hub, time });
    const b = manager({ hub, time, src: `${DIR_B}master.m3u8` });
    await Promise.all([a1.m.start(), a2.m.start(), b.m.start()]);
    expect(posts).toHaveLength(2);
    expect(a2.log.sessions[0]).toMatchObject({ joined: true });
    expect(a2.m.current).toBe(a1.m.current); // the joiner has the same session (and its watermark text)
    // Both timers of video A fire together: one request.
    time.advance(15_000);
    await settle(() => [a1, a2, b].every((x) => x.log.sessions.length === 2));
    expect(posts).toHaveLength(4);
    expect(a1.log.sessions).toHaveLength(2);
    expect(a2.log.sessions).toHaveLength(2);
    expect(b.log.sessions).toHaveLength(2);
    for (const x of [a1, a2, b]) x.m.dispose();
    expect(hub.size).toBe(0);
  });

  it('a shared request outlives the player that started it: disposing the owner does not fail the joiners', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    script = () => ({ ...ok(), hold });
    const owner = manager({ hub, time });
    const joiner = manager({ hub, time });
    const ownerStart = owner.m.start();
    ownerStart.catch(() => undefined);
    await settle(() => posts.length === 1); // the owner's POST is at the server, held
    const joinerStart = joiner.m.start();
    owner.m.dispose();
    release();
    await expect(joinerStart).resolves.toMatchObject({ answer: { resource: 'x' } });
    expect(posts).toHaveLength(1);
    expect(joiner.log.errors).toEqual([]);
    expect(joiner.log.sessions[0]).toMatchObject({ joined: true, reason: 'initial' });
    expect(owner.log.sessions).toEqual([]); // a disposed player hears nothing more
    joiner.m.dispose();
    expect(hub.size).toBe(0);
  });

  it('the last player of a video to leave aborts its shared request', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    script = () => ({ ...ok(), hold });
    const only = manager({ hub, time });
    const start = only.m.start();
    await settle(() => posts.length === 1);
    only.m.dispose();
    await expect(start).rejects.toBeDefined();
    release();
    expect(only.log.errors).toEqual([]);
    expect(hub.size).toBe(0);
  });

  it('recover(): one refresh for a refused request, none when a refresh completed since it was sent', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time });
    await m.start();
    m.noteSuccess(); // the cookies flow: a refusal is about expiry, never a reason to leave cookie mode
    const sent = m.sharedGeneration;
    const [r1, r2] = await Promise.all([m.recover(sent), m.recover(sent)]);
    expect([r1, r2]).toEqual([true, true]);
    expect(posts).toHaveLength(2);
    expect(await m.recover(sent)).toBe(true); // the refresh above is newer than this request
    expect(posts).toHaveLength(2);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'request', 'request']);
    script = () => fail(403, 'resource_forbidden');
    expect(await m.recover(m.sharedGeneration)).toBe(false);
    m.dispose();
  });

  it('recover(): a refused request waits through an auth outage instead of failing with the first round', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time, recoverWindowMs: 60_000 });
    await m.start();
    m.noteSuccess();
    let calls = 0;
    script = () => (++calls <= 6 ? fail(503, 'internal') : ok()); // more failures than one round's retries
    expect(await m.recover(m.sharedGeneration)).toBe(true);
    expect(calls).toBe(7);
    expect(log.errors).toEqual([expect.objectContaining({ code: 'network', fatal: false })]);
    m.dispose();
  });

  it('recover(): gives up when the outage outlasts the window', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m } = manager({ hub, time, recoverWindowMs: 0 });
    await m.start();
    m.noteSuccess();
    script = () => fail(503, 'internal');
    expect(await m.recover(m.sharedGeneration)).toBe(false);
    m.dispose();
  });

  it('lean until play: no refresh for a player never played; play refreshes first', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time, idleUntilPlay: true });
    await m.start();
    time.advance(60_000); // three times the cookie lifetime
    await settle();
    expect(posts).toHaveLength(1);
    const played = m.playing(true);
    expect(m.pending()).toBeInstanceOf(Promise); // media requests can wait for it
    await played;
    expect(posts).toHaveLength(2);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'play']);
    expect(m.pending()).toBeUndefined();
    // Playing: refreshed on schedule again.
    time.advance(15_000);
    await settle(() => log.sessions.length === 3);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'play', 'scheduled']);
    m.dispose();
  });

  it('lean until play: a paused player refreshes for one cookie lifetime, then rests until play', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time, idleUntilPlay: true });
    await m.start();
    await m.playing(true); // not due: no request
    expect(posts).toHaveLength(1);
    time.advance(1_000);
    await m.playing(false);
    time.advance(14_000); // due at 15 s, paused for 14 s < 20 s: refreshed
    await settle(() => log.sessions.length === 2);
    time.advance(15_000); // due again, paused for 29 s > 20 s: rests
    await settle();
    expect(posts).toHaveLength(2);
    await m.playing(true);
    expect(posts).toHaveLength(3);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'scheduled', 'play']);
    m.dispose();
  });

  it('without idleUntilPlay a player refreshes whether it plays or not', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time });
    await m.start();
    time.advance(15_000);
    await settle(() => log.sessions.length === 2);
    expect(posts).toHaveLength(2);
    m.dispose();
  });

  it('dispose leaves no timer and no hub entry; a disposed manager refuses to work', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m } = manager({ hub, time });
    await m.start();
    m.dispose();
    expect(time.timerCount).toBe(0);
    expect(hub.size).toBe(0);
    expect(await m.recover(0)).toBe(false);
  });
});

describe('SessionManager: query signing', () => {
  it('asks for query mode with its body and payload hash, without credentials, and keeps the query', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const { m, log } = manager({ hub, time, signing: 'query' });
    const state = await m.start();
    expect(bodies[0]).toEqual({
      body: '{"mode":"query"}',
      contentType: 'application/json',
      payloadHash: '7d0b921864d90a23c895f0c64967b0c6887bc1f0d98bc560460e699e90d905a1',
      cookie: undefined,
    });
    expect(m.signing).toBe('query');
    expect(state.query).toMatch(/^Policy=P\d+&Signature=S\d+&Key-Pair-Id=KTEST$/);
    expect(m.query).toBe(state.query);
    // A refresh swaps the query.
    time.advance(15_000);
    await settle(() => log.sessions.length === 2);
    expect(m.query).not.toBe(state.query);
    expect(m.query).toBe(m.current!.query);
    m.dispose();
  });

  it('a cookie-mode player keeps no query, and sends no body', async () => {
    const hub = new SharedRefresh<SessionState>();
    const { m } = manager({ hub, time: new ManualTime() });
    await m.start();
    expect(bodies[0]!.body).toBe('');
    expect(m.signing).toBe('cookie');
    expect(m.query).toBeUndefined();
    m.dispose();
  });

  it('takes a query-mode answer without a query for no session (an auth server before query mode)', async () => {
    const hub = new SharedRefresh<SessionState>();
    const { m, log } = manager({ hub, time: new ManualTime(), signing: 'query' });
    script = () => ({ status: 200, body: { ...ok().body, query: undefined } });
    await expect(m.start()).rejects.toMatchObject({ fatal: false });
    expect(log.errors.at(-1)).toMatchObject({ fatal: true });
    m.dispose();
  });

  it('players of one video in different modes never share a session', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const cookie = manager({ hub, time });
    const query = manager({ hub, time, signing: 'query' });
    await Promise.all([cookie.m.start(), query.m.start()]);
    expect(posts).toHaveLength(2);
    expect(bodies.map((b) => b.body).sort()).toEqual(['', '{"mode":"query"}']);
    expect(cookie.m.current!.query).toBeUndefined();
    expect(query.m.current!.query).toBeDefined();
    cookie.m.dispose();
    query.m.dispose();
  });

  it('switches to query mode once when a request right after a fresh cookie session is refused', async () => {
    const hub = new SharedRefresh<SessionState>();
    const time = new ManualTime();
    const switches: unknown[] = [];
    const { m, log } = manager({ hub, time, onSigningSwitch: (detail) => switches.push(detail) });
    await m.start();
    expect(m.signing).toBe('cookie');
    expect(await m.recover(m.sharedGeneration)).toBe(true);
    expect(m.signing).toBe('query');
    expect(m.signingSwitch).toMatchObject({ from: 'cookie', to: 'query', reason: expect.stringContaining('did not send the cookies') });
    expect(switches).toHaveLength(1);
    expect(bodies.map((b) => b.body)).toEqual(['', '{"mode":"query"}']);
    expect(m.query).toMatch(/^Policy=/);
    expect(log.sessions.map((s) => s.reason)).toEqual(['initial', 'request']);
    // A later refusal in query mode is recovered as ever, and never switches again.
    expect(await m.recover(m.sharedGeneration)).toBe(true);
    expect(switches).toHaveLength(1);
    expect(bodies.map((b) => b.body)).toEqual(['', '{"mode":"query"}', '{"mode":"query"}']);
    m.dispose();
  });

  it('stays in cookie mode when the cookies were seen to work, the session was due, or the request older', async () => {
    const time = new ManualTime();
    const proven = manager({ hub: new SharedRefresh<SessionState>(), time });
    await proven.m.start();
    proven.m.noteSuccess();
    expect(await proven.m.recover(proven.m.sharedGeneration)).toBe(true);
    expect(proven.m.signing).toBe('cookie');
    proven.m.dispose();

    const due = manager({ hub: new SharedRefresh<SessionState>(), time, idleUntilPlay: true });
    await due.m.start();
    time.advance(16_000); // past refreshAfter (15 s): a refusal now is expiry
    expect(await due.m.recover(due.m.sharedGeneration)).toBe(true);
    expect(due.m.signing).toBe('cookie');
    due.m.dispose();

    const older = manager({ hub: new SharedRefresh<SessionState>(), time });
    await older.m.start();
    await older.m.refresh('scheduled');
    expect(await older.m.recover(older.m.sharedGeneration - 1)).toBe(true); // a newer session exists: just retry
    expect(older.m.signing).toBe('cookie');
    older.m.dispose();
    expect(bodies.every((b) => b.body === '')).toBe(true);
  });
});
