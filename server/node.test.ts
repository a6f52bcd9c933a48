import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.ts';
import { startServer, type RunningServer } from './node.ts';
import { makeTestServer, TEST_ISSUER } from './test-config.ts';

const DIR = 'AbCdEfGhIjKlMnOpQrStUv';
const test = makeTestServer({ clientAddressHeader: undefined });
const repo = fileURLToPath(new URL('..', import.meta.url));

/** Sends raw bytes and returns the raw answer (the connection is closed by either side). */
function raw(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(Buffer.concat(chunks).toString()) : reject(e)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.write(request, () => socket.end());
  });
}

describe('startServer (real HTTP on 127.0.0.1)', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer(test.config, { logger: createLogger({ name: 't', level: 'silent' }) });
  });
  afterAll(() => running.stop());

  it('serves POST /_auth/session with three Set-Cookie headers', async () => {
    const res = await fetch(`${running.url}/_auth/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${test.mint(test.res(DIR))}`, Origin: TEST_ISSUER },
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toHaveLength(3);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ISSUER);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers a 1 MB header with a JSON 431, from the HTTP parser', async () => {
    const answer = await raw(
      running.port,
      `POST /session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(1024 * 1024)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).not.toMatch(/set-cookie/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'payload_too_large', message: 'request headers are too large' },
    });
  });

  it('answers headers above HLSGATE_MAX_HEADER_BYTES (but within the parser limit) with the app JSON 431', async () => {
    const res = await fetch(`${running.url}/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${test.mint(test.res(DIR))}`, 'X-Filler': 'f'.repeat(9000) },
    });
    expect(res.status).toBe(431);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: 'request headers exceed 8192 bytes' } });
    const ok = await fetch(`${running.url}/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${test.mint(test.res(DIR))}`, 'X-Filler': 'f'.repeat(7000) },
    });
    expect(ok.status).toBe(200);
  });

  it('answers garbage with a JSON 400 and keeps serving', async () => {
    const answer = await raw(running.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"bad_request"');
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });

  it('answers an oversized chunked body with a JSON 413', async () => {
    const chunk = 'z'.repeat(600);
    const answer = await raw(
      running.port,
      `POST /session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${test.mint(test.res(DIR))}\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).not.toMatch(/set-cookie/i);
    expect(answer).toContain('"code":"payload_too_large"');
  });

  it('answers an oversized body with a JSON 413', async () => {
    const res = await fetch(`${running.url}/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${test.mint(test.res(DIR))}` },
      body: 'x'.repeat(100_000),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});

describe('a viewer who goes away mid-body (real HTTP)', () => {
  it('is logged at info as a 400, not as an unexpected error', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ name: 't', level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const server = await startServer(test.config, { logger });
    try {
      const socket = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${test.mint(test.res(DIR))}\r\n` +
          'Transfer-Encoding: chunked\r\n\r\n10\r\nonly-half',
      );
      // Let the app start reading the body, then hang up.
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
      const deadline = Date.now() + 20_000;
      while (!lines.some((l) => l.msg === 'request') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
      expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'request', status: 400, code: 'bad_request' }));
    } finally {
      await server.stop(1000);
    }
  });
});

describe('npm run server (tsx server/node.ts)', () => {
  const run = (env: Record<string, string>) =>
    spawn(process.execPath, ['--import', 'tsx', 'server/node.ts'], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HLSGATE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('prints every configuration problem and exits 1', async () => {
    const child = run({ HLSGATE_COOKIE_TTL: 'soon' });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('hlsgate auth server: Invalid configuration');
    for (const name of ['HLSGATE_TOKEN_SECRETS', 'HLSGATE_TOKEN_ISSUERS', 'HLSGATE_MEDIA_BASE_URLS', 'HLSGATE_CLOUDFRONT_KEY_PAIR_ID', 'HLSGATE_COOKIE_TTL']) {
      expect(stderr).toContain(name);
    }
  });

  it('listens on HLSGATE_HOST:HLSGATE_PORT and stops on SIGTERM', async () => {
    const child = run({
      HLSGATE_HOST: '127.0.0.1',
      HLSGATE_PORT: '0',
      HLSGATE_TOKEN_SECRETS: `${test.kid}:${test.secret}`,
      HLSGATE_TOKEN_ISSUERS: TEST_ISSUER,
      HLSGATE_MEDIA_BASE_URLS: 'https://media.example.edu/lectures/',
      HLSGATE_CLOUDFRONT_KEY_PAIR_ID: 'KTESTKEYPAIR01',
      HLSGATE_CLOUDFRONT_PRIVATE_KEY: test.config.keyPairs[0]!.privateKeyPem,
    });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('exit', () => reject(new Error(`exited before listening: ${out}`)));
    });
    const res = await fetch(`${url}/session`, { method: 'POST', headers: { Authorization: `Bearer ${test.mint(test.res(DIR))}` } });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
