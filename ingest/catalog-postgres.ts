/**
 * The catalog on PostgreSQL (`HLSGATE_CATALOG_URL=postgres://…`), for workers on many machines:
 * the same contract as the SQLite catalog (catalog.test.ts runs one suite on both). A claim is one
 * `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING *`, so concurrent workers
 * never wait for each other and never get the same recording; leases are renewed by heartbeat.
 * Migrations are numbered, tracked in `hlsgate_schema_migrations`, applied under an advisory lock
 * so that workers starting together migrate once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  CAPTIONS_MIGRATION,
  CLAIMABLE,
  COLUMNS,
  DUE_AT,
  QUEUE_CAPTIONS,
  type Catalog,
  CatalogError,
  LeaseLostError,
  type NewRecording,
  type Recording,
  type RecordingPatch,
  type RecordingState,
  type RepublishChanges,
  TAKE_LEASE,
  fromRow,
} from './catalog.ts';

/** Migrations, applied in order once each. Times are epoch milliseconds (BIGINT). */
export const PG_MIGRATIONS: string[] = [
  `CREATE TABLE recordings (
     seq BIGSERIAL UNIQUE,
     id TEXT PRIMARY KEY,
     source_key TEXT NOT NULL UNIQUE,
     source_kind TEXT NOT NULL CHECK (source_kind IN ('file', 'zoom')),
     source TEXT NOT NULL,
     download_token TEXT,
     transcript_source TEXT,
     expected_size BIGINT,
     course TEXT NOT NULL,
     title TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     duration_seconds DOUBLE PRECISION,
     dir TEXT UNIQUE,
     state TEXT NOT NULL CHECK (state IN ('queued','downloading','transcoding','uploading','published','failed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     last_error_code TEXT,
     next_attempt_at BIGINT NOT NULL,
     lease_owner TEXT,
     lease_until BIGINT,
     repository_path TEXT,
     master_key TEXT,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX recordings_due ON recordings (state, next_attempt_at)`,
  `ALTER TABLE recordings ADD COLUMN lease_since BIGINT;
   ALTER TABLE recordings ADD COLUMN staged_key TEXT`,
  CAPTIONS_MIGRATION('BIGINT', 'DOUBLE PRECISION'),
];

/** Any number in the advisory-lock space, fixed: "hlsg" */
const MIGRATION_LOCK = 0x686c7367;
const INT8_OID = 20;

/** BIGINT columns hold epoch milliseconds and sizes: numbers, not the strings pg gives by default. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const FREE = `(lease_until IS NULL OR lease_until <= $3 OR lease_owner = $1)`;

export class PostgresCatalog implements Catalog {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects, migrates, and returns the catalog. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresCatalog> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 4, types });
    // An idle connection dropped by the server must not crash the worker: the next query reconnects.
    pool.on('error', () => undefined);
    const catalog = new PostgresCatalog(pool);
    try {
      await catalog.#migrate();
    } catch (error) {
      await pool.end();
      if (error instanceof CatalogError) throw error;
      throw new CatalogError(`cannot open the PostgreSQL catalog (HLSGATE_CATALOG_URL): ${(error as Error).message}`);
    }
    return catalog;
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS hlsgate_schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM hlsgate_schema_migrations');
      const version = rows[0]?.version ?? 0;
      if (version > PG_MIGRATIONS.length) {
        throw new CatalogError(`the catalog is at schema version ${version}, newer than this program (${PG_MIGRATIONS.length})`);
      }
      for (let v = version; v < PG_MIGRATIONS.length; v++) {
        await client.query(PG_MIGRATIONS[v]!);
        await client.query('INSERT INTO hlsgate_schema_migrations (version, applied_at) VALUES ($1, $2)', [v + 1, Date.now()]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #one(sql: string, params: unknown[]): Promise<Recording | null> {
    const { rows } = await this.#pool.query(sql, params);
    return fromRow(rows[0] as Record<string, unknown> | undefined);
  }

  async add(input: NewRecording, now: number): Promise<{ recording: Recording; created: boolean }> {
    const inserted = await this.#one(
      `INSERT INTO recordings (id, source_key, source_kind, source, download_token, transcript_source, expected_size,
         staged_key, course, title, recorded_at, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'queued', 0, $12, $12, $12)
       ON CONFLICT (source_key) DO NOTHING RETURNING *`,
      [randomUUID(), input.sourceKey, input.sourceKind, input.source, input.downloadToken ?? null, input.transcriptSource ?? null,
        input.expectedSize ?? null, input.stagedKey ?? null, input.course, input.title, input.recordedAt, now],
    );
    if (inserted) return { recording: inserted, created: true };
    const existing = await this.getBySourceKey(input.sourceKey);
    if (!existing) throw new CatalogError(`recording ${input.sourceKey} was neither added nor found`);
    return { recording: existing, created: false };
  }

  get(id: string): Promise<Recording | null> {
    return this.#one('SELECT * FROM recordings WHERE id = $1', [id]);
  }

  getBySourceKey(sourceKey: string): Promise<Recording | null> {
    return this.#one('SELECT * FROM recordings WHERE source_key = $1', [sourceKey]);
  }

  async list(filter: { state?: RecordingState } = {}): Promise<Recording[]> {
    const { rows } = filter.state
      ? await this.#pool.query('SELECT * FROM recordings WHERE state = $1 ORDER BY created_at, seq', [filter.state])
      : await this.#pool.query('SELECT * FROM recordings ORDER BY created_at, seq');
    return rows.map((r) => fromRow(r as Record<string, unknown>)!);
  }

  claim(owner: string, now: number, leaseMs: number, id?: string): Promise<Recording | null> {
    const set = TAKE_LEASE('$1', '$2', '$3');
    return id
      ? this.#one(`UPDATE recordings SET ${set} WHERE id = $4 AND ${CLAIMABLE} AND ${FREE} RETURNING *`, [owner, now + leaseMs, now, id])
      : this.#one(
          `UPDATE recordings SET ${set}
           WHERE id = (SELECT id FROM recordings WHERE ${CLAIMABLE} AND ${DUE_AT} <= $3 AND ${FREE}
                       ORDER BY ${DUE_AT}, created_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING *`,
          [owner, now + leaseMs, now],
        );
  }

  async renew(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.#pool.query('UPDATE recordings SET lease_until = $1 WHERE id = $2 AND lease_owner = $3', [now + leaseMs, id, owner]);
    return result.rowCount === 1;
  }

  async update(id: string, owner: string, patch: RecordingPatch, now: number): Promise<Recording> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    const sets = entries.map(([k], i) => `${COLUMNS[k as keyof Recording]} = $${i + 1}`);
    const n = entries.length;
    const row = await this.#one(
      `UPDATE recordings SET ${[...sets, `updated_at = $${n + 1}`].join(', ')} WHERE id = $${n + 2} AND lease_owner = $${n + 3} RETURNING *`,
      [...entries.map(([, v]) => v), now, id, owner],
    );
    if (!row) throw new LeaseLostError(id);
    return row;
  }

  async release(id: string, owner: string, now: number): Promise<void> {
    await this.#pool.query(
      'UPDATE recordings SET lease_owner = NULL, lease_until = NULL, lease_since = NULL, updated_at = $1 WHERE id = $2 AND lease_owner = $3',
      [now, id, owner],
    );
  }

  async retry(id: string, now: number): Promise<Recording> {
    const captions = await this.#one(
      `UPDATE recordings SET ${QUEUE_CAPTIONS('$1', 'NULL', 'NULL')} WHERE id = $2 AND state = 'published' AND captions_state = 'failed' RETURNING *`,
      [now, id],
    );
    if (captions) return captions;
    const row = await this.#one(
      `UPDATE recordings SET state = 'queued', attempts = 0, next_attempt_at = $1, lease_owner = NULL, lease_until = NULL, lease_since = NULL, updated_at = $1
       WHERE id = $2 AND state = 'failed' RETURNING *`,
      [now, id],
    );
    if (row) return row;
    const recording = await this.get(id);
    throw new CatalogError(recording ? `recording ${id} is ${recording.state}, not failed` : `no recording ${id}`);
  }

  async queueCaptions(id: string, now: number, input: { captionsInput?: string; chaptersInput?: string } = {}): Promise<Recording> {
    const row = await this.#one(
      `UPDATE recordings SET ${QUEUE_CAPTIONS('$1', '$2::text', '$3::text')} WHERE id = $4 AND state = 'published' RETURNING *`,
      [now, input.captionsInput ?? null, input.chaptersInput ?? null, id],
    );
    if (!row) throw new CatalogError(`recording ${id} is not published`);
    return row;
  }

  async republish(id: string, now: number, changes: RepublishChanges = {}): Promise<Recording> {
    const row = await this.#one(
      `UPDATE recordings SET state = 'queued', attempts = 0, next_attempt_at = $1, updated_at = $1,
         title = coalesce($2, title), course = coalesce($3, course)
       WHERE id = $4 AND state = 'published' RETURNING *`,
      [now, changes.title ?? null, changes.course ?? null, id],
    );
    if (!row) throw new CatalogError(`recording ${id} is not published`);
    return row;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
