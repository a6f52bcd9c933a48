/**
 * A real PostgreSQL for tests: a scratch cluster (initdb + pg_ctl from Debian's postgresql) on a
 * free loopback port, trust auth for one superuser, its socket inside the cluster's folder, so
 * nothing outside that folder is touched. PostgreSQL refuses to run as root: as root the cluster
 * belongs to the `postgres` user that Debian's package creates, and every command runs through
 * `runuser`. A watchdog stops the cluster when the process that started it dies, so a killed test
 * run leaves no server behind.
 *
 *   const pg = await startPostgres();            // fresh cluster in a temp folder, deleted on stop
 *   const url = await pg.createDatabase('ingest');
 *   await pg.stop();
 *
 * `dir` keeps a cluster between runs (the Moodle harness reuses an installed site): an existing
 * cluster there is started again, and stop() leaves the folder.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';

export interface PostgresOptions {
  /** Keep the cluster here between runs (created when missing). Default: a temp folder, removed on stop. */
  dir?: string;
  /** Default: a free port. */
  port?: number;
  /** The superuser the tests connect as (trust auth on loopback). Default `hlsgate`. */
  user?: string;
}

export interface Postgres {
  /** `postgres://USER@127.0.0.1:PORT/postgres` */
  url: string;
  host: string;
  port: number;
  user: string;
  dir: string;
  /** Creates a database (dropped first when `fresh`) and returns its URL. */
  createDatabase(name: string, options?: { fresh?: boolean }): Promise<string>;
  /** Stops the server (fast shutdown) and removes a temp cluster. Safe to call twice. */
  stop(): Promise<void>;
}

/** Where Debian keeps the server binaries: the newest /usr/lib/postgresql/<major>/bin, or HLSGATE_PG_BIN. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.HLSGATE_PG_BIN) return existsSync(join(env.HLSGATE_PG_BIN, 'initdb')) ? env.HLSGATE_PG_BIN : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: no initdb under /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)');
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const id = await execa('id', ['-u', 'postgres'], { reject: false });
    const gid = await execa('id', ['-g', 'postgres'], { reject: false });
    if (id.exitCode !== 0) throw new Error('PostgreSQL cannot run as root and there is no `postgres` user (Debian\'s postgresql package creates it)');
    owner = { uid: Number(id.stdout), gid: Number(gid.stdout) };
  }
  // Commands run as the cluster's owner; runuser keeps the environment we pass.
  const run = (command: string, args: string[]) =>
    asRoot ? execa('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : execa(join(bin, command), args);

  const temporary = !options.dir;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'hlsgate-pg-'));
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const user = options.user ?? 'hlsgate';
  const port = options.port ?? (await freePort());

  if (!existsSync(join(data, 'PG_VERSION'))) {
    await run('initdb', ['-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  }
  // Test settings: loopback only, socket in our folder, durability traded for speed.
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 100',
    "log_min_messages = 'warning'",
  ].join('\n');
  const confFile = join(data, 'hlsgate.conf');
  writeFileSync(confFile, `${conf}\n`);
  if (owner) chownSync(confFile, owner.uid, owner.gid);
  const mainConf = join(data, 'postgresql.conf');
  if (!readFileSync(mainConf, 'utf8').includes("include_if_exists = 'hlsgate.conf'")) {
    appendFileSync(mainConf, "\ninclude_if_exists = 'hlsgate.conf'\n");
  }

  const log = join(dir, 'server.log');
  try {
    await run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${(error as Error).message}\n${tail}`);
  }

  // The watchdog: when this process is gone, stop the cluster (and drop a temp one).
  const stopCommand = `${asRoot ? 'runuser -u postgres -- ' : ''}'${join(bin, 'pg_ctl')}' -D '${data}' -m fast -w stop`;
  const watchdog = spawn(
    'sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stopCommand} >/dev/null 2>&1${temporary ? `; rm -rf '${dir}'` : ''}`],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();

  const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    host: '127.0.0.1',
    port,
    user,
    dir,
    async createDatabase(name, { fresh = false } = {}) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        if (fresh) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdent(name)} ENCODING 'UTF8' TEMPLATE template0`);
      } finally {
        await client.end();
      }
      return `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      watchdog.kill();
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() => undefined);
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}
