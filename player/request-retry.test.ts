/**
 * The 403 safety net against a real HTTP server. Node has no XMLHttpRequest, so `nodeXhr` below is a
 * small adapter with the behaviour of the xhr function VHS calls (video.js's XhrFunction over
 * @videojs/xhr): an XHR-like object with `status`, `response`, `progress`/`load`/`loadend` events,
 * an error for any status but 200/206, and no callback after `abort()`. The browser tests prove the
 * wrapper around the real one.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useMediaServer } from './test-media-server.ts';
import { recoverReason, wrapXhr, type RawRequest, type RequestNet, type XhrCallback, type XhrOptions } from './request-retry.ts';

class NodeXhr extends EventTarget {
  status = 0;
  readyState = 0;
  response: Buffer | undefined;
  responseText = '';
  aborted = false;
  uri = '';
  private req: ClientRequest | undefined;
  start(uri: string, callback: XhrCallback): void {
    this.uri = uri;
    this.readyState = 1;
    const chunks: Buffer[] = [];
    this.req = httpRequest(uri, (res) => {
      this.status = res.statusCode ?? 0;
      this.readyState = 2;
      const total = Number(res.headers['content-length'] ?? 0);
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        this.readyState = 3;
        this.dispatchEvent(Object.assign(new Event('progress'), { loaded: Buffer.concat(chunks).length, total }));
      });
      res.on('end', () => {
        if (this.aborted) return;
        this.readyState = 4;
        this.response = Buffer.concat(chunks);
        this.responseText = this.response.toString('utf8');
        this.dispatchEvent(new Event('load'));
        const ok = this.status === 200 || this.status === 206;
        callback(ok ? null : new Error(`XHR Failed with a response of: ${this.responseText}`), this as unknown as RawRequest);
        this.dispatchEvent(new Event('loadend'));
      });
    });
    this.req.on('error', (error) => {
      if (this.aborted) return;
      this.status = 0;
      this.readyState = 4;
      this.dispatchEvent(new Event('error'));
      callback(error, this as unknown as RawRequest);
      this.dispatchEvent(new Event('loadend'));
    });
    this.req.end();
  }
  abort(): void {
    this.aborted = true;
    this.req?.destroy();
    this.readyState = 4;
    this.dispatchEvent(new Event('abort'));
    this.dispatchEvent(new Event('loadend'));
  }
}

const sent: string[] = [];
function nodeXhr(options: XhrOptions, callback: XhrCallback): RawRequest {
  sent.push(String(options.uri));
  const xhr = new NodeXhr();
  xhr.start(String(options.uri), callback);
  return xhr as unknown as RawRequest;
}

const served = useMediaServer({ beforeAll, afterAll, beforeEach }, () => {
  sent.length = 0;
});

function net(overrides: Partial<RequestNet> = {}) {
  const calls = { recover: [] as number[], recoverEvents: [] as string[] };
  let generation = 7;
  const n: RequestNet = {
    covers: (uri) => uri.startsWith(`${served.server.base}/lectures/`),
    generation: () => generation,
    recover: async (sentGeneration) => {
      calls.recover.push(sentGeneration);
      await new Promise((r) => setTimeout(r, 50));
      served.server.state.authorized = true;
      generation += 1;
      return true;
    },
    onRecover: (d) => calls.recoverEvents.push(`${d.reason}:${d.status}`),
    ...overrides,
  };
  return { n, calls };
}

function run(xhr: ReturnType<typeof wrapXhr>, uri: string) {
  const events: { type: string; loaded: unknown; aborted: unknown; status: unknown }[] = [];
  let resolveDone!: (v: { error: unknown; request: RawRequest }) => void;
  const done = new Promise<{ error: unknown; request: RawRequest }>((r) => (resolveDone = r));
  const handle = xhr({ uri, requestType: 'segment' }, (error, request) => resolveDone({ error, request }));
  for (const type of ['progress', 'loadend', 'abort']) {
    handle.addEventListener(type, (e) => {
      const event = e as { type: string; loaded: unknown; target: RawRequest };
      events.push({ type: event.type, loaded: event.loaded, aborted: event.target.aborted, status: event.target.status });
    });
  }
  return { handle, done, events };
}

describe('recoverReason', () => {
  it('403 and a bare status 0 are recoverable; timeouts, aborts and other statuses are not', () => {
    expect(recoverReason(new Error('x'), { status: 403 })).toBe('forbidden');
    expect(recoverReason(new Error('x'), { status: 0 })).toBe('no_response');
    expect(recoverReason(Object.assign(new Error('t'), { code: 'ETIMEDOUT' }), { status: 0 })).toBeNull();
    expect(recoverReason(new Error('t'), { status: 0, timedout: true })).toBeNull();
    expect(recoverReason(null, { status: 0, aborted: true })).toBeNull();
    expect(recoverReason(new Error('x'), { status: 404 })).toBeNull();
    expect(recoverReason(new Error('x'), { status: 500 })).toBeNull();
    expect(recoverReason(null, { status: 200 })).toBeNull();
  });
});

describe('wrapXhr', () => {
  it('holds a 403 back, refreshes once, and answers with the retried request', async () => {
    const { n, calls } = net();
    const xhr = wrapXhr(nodeXhr, n);
    const { handle, done, events } = run(xhr, `${served.server.base}/lectures/dir/720p/seg0.ts`);
    const { error, request } = await done;
    expect(error).toBeNull();
    expect(request.status).toBe(200);
    expect((request.response as Buffer).length).toBe(64 * 1024);
    expect(handle.status).toBe(200); // the handle reads the request of the moment
    expect(calls.recover).toEqual([7]); // the generation when the request was sent
    expect(calls.recoverEvents).toEqual(['forbidden:403']);
    expect(sent).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 10));
    // Listeners heard only the answer that counts: its progress, one loadend.
    expect(events.filter((e) => e.type === 'loadend')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'progress').every((e) => e.status === 200)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'loadend', loaded: 0, aborted: false });
  });

  it('treats a status 0 the same way, once', async () => {
    const { n, calls } = net();
    served.server.state.authorized = true;
    served.server.state.dropNext = 1;
    const { done } = run(wrapXhr(nodeXhr, n), `${served.server.base}/lectures/dir/720p/seg1.ts`);
    const { error, request } = await done;
    expect(error).toBeNull();
    expect(request.status).toBe(200);
    expect(calls.recoverEvents).toEqual(['no_response:0']);
  });

  it('gives VHS the refusal when the retry is refused too: one recovery per request, no loop', async () => {
    const { n, calls } = net({ recover: async () => true });
    const { done, events } = run(wrapXhr(nodeXhr, n), `${served.server.base}/lectures/dir/720p/seg2.ts`);
    const { error, request } = await done;
    expect(error).toBeInstanceOf(Error);
    expect(request.status).toBe(403);
    expect(sent).toHaveLength(2);
    expect(calls.recoverEvents).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(events.filter((e) => e.type === 'loadend')).toHaveLength(1);
  });

  it('gives VHS the original 403 when the refresh fails, and still ends with loadend', async () => {
    const { n } = net({ recover: async () => false });
    const { done, events } = run(wrapXhr(nodeXhr, n), `${served.server.base}/lectures/dir/720p/seg3.ts`);
    const { error, request } = await done;
    expect(error).toBeInstanceOf(Error);
    expect(request.status).toBe(403);
    expect(sent).toHaveLength(1);
    expect(events.filter((e) => e.type === 'loadend')).toHaveLength(1);
  });

  it('leaves requests outside the video alone', async () => {
    const { n, calls } = net();
    const handle = wrapXhr(nodeXhr, n)({ uri: `${served.server.base}/other/seg.ts` }, () => undefined);
    expect(handle).toBeInstanceOf(NodeXhr);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.recover).toEqual([]);
  });

  it('abort while the refresh runs: no retry, no callback, abort and loadend heard with aborted set', async () => {
    const { n } = net();
    let called = false;
    const uri = `${served.server.base}/lectures/dir/720p/seg4.ts`;
    const { handle, events, done } = run(wrapXhr(nodeXhr, n), uri);
    void done.then(() => (called = true));
    const original = handle.abort;
    expect(typeof original).toBe('function');
    // Wait until the 403 arrived and the refresh is running.
    await new Promise((r) => setTimeout(r, 25));
    handle.abort();
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).toHaveLength(1);
    expect(handle.aborted).toBe(true);
    expect(events.map((e) => [e.type, e.aborted])).toEqual([
      ['abort', true],
      ['loadend', true],
    ]);
    expect(called).toBe(false);
  });

  it('abort of the retry in flight reaches the real request; progress of the good answer is relayed', async () => {
    served.server.state.authorized = true;
    const { n } = net();
    const { handle, events } = run(wrapXhr(nodeXhr, n), `${served.server.base}/lectures/dir/720p/slow.ts`);
    // The first part's progress (a loaded machine may take a while), well before the second part.
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'progress' && e.status === 200); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(events.some((e) => e.type === 'progress' && e.status === 200)).toBe(true);
    handle.abort();
    expect(events.at(-1)).toMatchObject({ type: 'loadend', aborted: true });
    await new Promise((r) => setTimeout(r, 1_600));
    expect(events.filter((e) => e.type === 'loadend')).toHaveLength(1);
  });

  it('writes from VHS stay on the handle and removeEventListener works', async () => {
    served.server.state.authorized = true;
    const { n } = net();
    const handle = wrapXhr(nodeXhr, n)({ uri: `${served.server.base}/lectures/dir/x.ts` }, () => undefined) as RawRequest & Record<string, unknown>;
    handle.onreadystatechange = null;
    handle.bandwidth = 123;
    expect(handle.bandwidth).toBe(123);
    let heard = 0;
    const listener = () => (heard += 1);
    handle.addEventListener('loadend', listener);
    handle.removeEventListener('loadend', listener);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toBe(0);
    expect('status' in handle).toBe(true);
  });
});
