/**
 * WebKitGTK as a stand-in for Safari's native HLS path: a virtual X display (Xvfb), WebKitWebDriver
 * on a free port with `WEBKIT_GST_ENABLE_HLS_SUPPORT=1` (GStreamer then plays `.m3u8` itself, the
 * way AVFoundation does in Safari), and MiniBrowser in automation mode behind it. `startWebKit()`
 * starts both and `stop()` stops both; `findWebKit()` says what is missing on this machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { withFileLock } from '../stack/file-lock.ts';
import { command, newSession, type WebDriverSession } from './webdriver.ts';

export interface WebKitBinaries {
  driver: string;
  browser: string;
  xvfb: string;
}

export type WebKitFound = ({ ok: true } & WebKitBinaries) | { ok: false; missing: string[]; packages: string[] };

const LIB_ROOTS = ['/usr/lib', '/usr/lib64'];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Files matching `<lib root>[/<multiarch triplet>]/<dirPrefix>*\/<file>`, e.g. MiniBrowser under webkit2gtk-4.1. */
function inLibDirs(dirPrefix: string, file: string): string | undefined {
  const roots: string[] = [];
  for (const root of LIB_ROOTS) {
    if (!existsSync(root)) continue;
    roots.push(root);
    for (const entry of readdirSync(root, { withFileTypes: true })) if (entry.isDirectory() && entry.name.includes('-linux-')) roots.push(join(root, entry.name));
  }
  for (const root of roots) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of entries.filter((n) => n.startsWith(dirPrefix)).sort().reverse()) {
      const candidate = join(root, name, file);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The driver, MiniBrowser, Xvfb and the GStreamer plugins the native HLS path needs, or what is missing (with Debian's package names). */
export function findWebKit(): WebKitFound {
  const driver = onPath('WebKitWebDriver');
  const browser = inLibDirs('webkit2gtk-4.', 'MiniBrowser');
  const xvfb = onPath('Xvfb');
  const missing: string[] = [];
  const packages: string[] = [];
  const need = (found: unknown, what: string, pkg: string) => {
    if (found) return;
    missing.push(what);
    packages.push(pkg);
  };
  need(driver, 'WebKitWebDriver', 'webkit2gtk-driver');
  need(browser, 'MiniBrowser', 'libwebkit2gtk-4.1-0');
  need(xvfb, 'Xvfb', 'xvfb');
  // hlsdemux (bad), qtdemux/isomp4 (good), avdec_h264/aac (libav): WebKit's GStreamer plays HLS with these.
  need(inLibDirs('gstreamer-1.0', 'libgsthls.so'), 'GStreamer hlsdemux', 'gstreamer1.0-plugins-bad');
  need(inLibDirs('gstreamer-1.0', 'libgstisomp4.so'), 'GStreamer isomp4', 'gstreamer1.0-plugins-good');
  need(inLibDirs('gstreamer-1.0', 'libgstlibav.so'), 'GStreamer libav', 'gstreamer1.0-libav');
  if (missing.length > 0 || !driver || !browser || !xvfb) return { ok: false, missing, packages };
  return { ok: true, driver, browser, xvfb };
}

export interface WebKit {
  /** The driver's base URL (`http://127.0.0.1:<port>`). */
  readonly driverUrl: string;
  /** The X display Xvfb serves (`:<n>`). */
  readonly display: string;
  /** A new MiniBrowser under the driver. */
  newSession(): Promise<WebDriverSession>;
  /** The driver's and the browser's recent output, for a failure message. */
  output(): string;
  /** Ends open sessions, stops the driver and Xvfb. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Screen size of the virtual display (default 1280x900). */
  width?: number;
  height?: number;
  /** How long the driver may take to answer `/status` (default 30 s; a busy two-core machine is slow). */
  startTimeoutMs?: number;
}

const OUTPUT_LIMIT = 8_000;

function keepTail(child: ChildProcess, sink: { text: string }): void {
  const add = (chunk: Buffer) => {
    sink.text = (sink.text + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function terminate(child: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Xvfb choosing its own free display (`-displayfd`), so parallel runs never collide. */
async function startXvfb(xvfb: string, width: number, height: number, timeoutMs: number): Promise<{ child: ChildProcess; display: string }> {
  const child = spawn(xvfb, ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  keepTail(child, output);
  const fd3 = child.stdio[3] as NodeJS.ReadableStream;
  try {
    const display = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb gave no display within ${timeoutMs} ms`)), timeoutMs);
      fd3.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const match = /^(\d+)\n/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(`:${match[1]}`);
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Xvfb exited with ${code}: ${output.text.trim().slice(-500)}`));
      });
    });
    return { child, display };
  } catch (error) {
    await terminate(child);
    throw error;
  }
}

async function waitForDriver(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const status = await command<{ ready?: boolean }>(url, 'GET', '/status');
      if (status?.ready) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`WebKitWebDriver did not answer ${url}/status within ${timeoutMs} ms`);
}

/**
 * One WebKitGTK at a time on the machine (the two browser-test lanes, scripts/e2e.sh, each have
 * WebKit tests): the one time two ran at once, the Moodle App page's video in one never started
 * (play() pending for 2 minutes, no error) while the other played; each passes alone. The lock is a
 * file with the holder's pid in the temp folder; a dead holder's is taken over. Resolves once held;
 * the function it returns releases it (twice is harmless).
 */
async function holdMachineLock(): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const done = withFileLock(join(tmpdir(), 'hlsgate-webkit.lock'), async () => {
    held();
    await released;
  });
  await Promise.race([holding, done]);
  return async () => {
    release();
    await done;
  };
}

/** Starts Xvfb and WebKitWebDriver; throws with the reason when WebKitGTK is missing or will not start. */
export async function startWebKit(options: StartOptions = {}): Promise<WebKit> {
  const found = findWebKit();
  if (!found.ok) throw new Error(`WebKitGTK is missing (${found.missing.join(', ')}): apt-get install ${found.packages.join(' ')}`);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const unlock = await holdMachineLock();
  let xvfb: Awaited<ReturnType<typeof startXvfb>>;
  try {
    xvfb = await startXvfb(found.xvfb, options.width ?? 1280, options.height ?? 900, timeoutMs);
  } catch (error) {
    await unlock();
    throw error;
  }
  const output = { text: '' };
  let driver: ChildProcess | undefined;
  let driverUrl = '';
  // Anything left running if the test process dies without stop(): the children go with it.
  const killAll = () => {
    driver?.kill('SIGKILL');
    xvfb.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  try {
    // The free port is free when asked and taken a moment later: a driver that loses the race exits, and we try another.
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      driverUrl = `http://127.0.0.1:${port}`;
      driver = spawn(found.driver, [`--port=${port}`, '--host=local'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DISPLAY: xvfb.display, WEBKIT_GST_ENABLE_HLS_SUPPORT: '1' },
      });
      keepTail(driver, output);
      if (await waitForDriver(driverUrl, driver, timeoutMs)) break;
      if (attempt >= 3) throw new Error(`WebKitWebDriver exited at start: ${output.text.trim().slice(-500)}`);
    }
  } catch (error) {
    process.removeListener('exit', killAll);
    await terminate(driver);
    await terminate(xvfb.child);
    await unlock();
    throw error;
  }

  const sessions = new Set<WebDriverSession>();
  const browser = found.browser;
  return {
    driverUrl,
    display: xvfb.display,
    output: () => output.text,
    newSession: async () => {
      // ITP on, as in Safari (MiniBrowser's default is off).
      const session = await newSession(driverUrl, { 'webkitgtk:browserOptions': { binary: browser, args: ['--automation', '--enable-itp'] } });
      sessions.add(session);
      return session;
    },
    stop: async () => {
      await Promise.allSettled([...sessions].map((s) => s.close()));
      sessions.clear();
      await terminate(driver);
      await terminate(xvfb.child);
      process.removeListener('exit', killAll);
      await unlock();
    },
  };
}
