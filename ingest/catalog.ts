/**
 * The catalog: every recording, its state and its lease. `Catalog` is what the pipeline needs,
 * asynchronous, with two implementations that keep one contract (catalog.test.ts runs the same
 * suite on both): SQLite for one machine (the default, here) and PostgreSQL for workers on many
 * machines (`catalog-postgres.ts`, chosen by `HLSGATE_CATALOG_URL=postgres://…`).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export const STATES = ['queued', 'downloading', 'transcoding', 'uploading', 'published', 'failed'] as const;
export type RecordingState = (typeof STATES)[number];

export type SourceKind = 'file' | 'zoom';

/**
 * The captions step, apart from the video's state: a lecture is published first, its captions
 * follow. null: nothing to do (no engine, or no audio); `queued` (due at `captionsNextAt`),
 * `recognizing`, `published`, or `failed` (the video stays published; `retry` queues it again).
 */
export const CAPTION_STATES = ['queued', 'recognizing', 'published', 'failed'] as const;
export type CaptionState = (typeof CAPTION_STATES)[number];

export interface Recording {
  id: string;
  /** Identity of the source, unique: `zoom:<recording file id>` or a hash of a local file's path, size and times. */
  sourceKey: string;
  sourceKind: SourceKind;
  /** A local path, or the Zoom download URL. */
  source: string;
  /** Zoom's per-recording download token (webhook), if any. */
  downloadToken: string | null;
  /** Zoom's transcript (VTT) download URL, or a local .vtt path. */
  transcriptSource: string | null;
  /** Expected size in bytes of a download, when the source says. */
  expectedSize: number | null;
  course: string;
  title: string;
  /** When the lecture was recorded (ISO 8601). */
  recordedAt: string;
  durationSeconds: number | null;
  dir: string | null;
  state: RecordingState;
  /** Processing attempts started (a crashed worker's attempt counts too). */
  attempts: number;
  lastError: string | null;
  lastErrorCode: string | null;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** Since when `leaseOwner` holds it (renewals keep it). */
  leaseSince: number | null;
  /** The source staged to S3 by `add` (`incoming/…`), so any worker can fetch it; null once deleted. */
  stagedKey: string | null;
  repositoryPath: string | null;
  masterKey: string | null;
  captionsState: CaptionState | null;
  /** Where the published captions came from: `zoom`, `file`, `manual`, or `asr:<engine>`. */
  captionsSource: string | null;
  captionsLanguage: string | null;
  /** Mean word confidence of recognised captions (0..1). */
  captionsConfidence: number | null;
  /** 1 when the track is AUTOSELECT (the quality gate passed, or captions from a person). */
  captionsAutoselect: number | null;
  /** Why the captions are as they are, for the teacher (e.g. the quality gate's verdict). */
  captionsNote: string | null;
  captionsAttempts: number;
  captionsNextAt: number | null;
  captionsError: string | null;
  captionsErrorCode: string | null;
  /** The audio staged for recognition (`incoming/<id>/audio.flac`); null once used. */
  audioKey: string | null;
  /** A VTT given by hand, staged (`incoming/<id>/captions-….vtt`) until the captions step publishes it. */
  captionsInput: string | null;
  /** Chapters given by hand, staged the same way. */
  chaptersInput: string | null;
  /** Where the published chapters came from: `slides`, `zoom`, `manual`; null: none. */
  chaptersSource: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewRecording {
  sourceKey: string;
  sourceKind: SourceKind;
  source: string;
  downloadToken?: string | null;
  transcriptSource?: string | null;
  expectedSize?: number | null;
  stagedKey?: string | null;
  course: string;
  title: string;
  recordedAt: string;
}

export type RecordingPatch = Partial<
  Pick<
    Recording,
    | 'state' | 'dir' | 'durationSeconds' | 'repositoryPath' | 'masterKey' | 'downloadToken' | 'lastError' | 'lastErrorCode' | 'attempts' | 'nextAttemptAt' | 'stagedKey'
    | 'captionsState' | 'captionsSource' | 'captionsLanguage' | 'captionsConfidence' | 'captionsAutoselect' | 'captionsNote' | 'captionsAttempts'
    | 'captionsNextAt' | 'captionsError' | 'captionsErrorCode' | 'audioKey' | 'captionsInput' | 'chaptersInput' | 'chaptersSource'
  >
>;

export interface Catalog {
  /** Queues a recording; a second add of the same sourceKey returns the existing one (`created: false`). */
  add(input: NewRecording, now: number): Promise<{ recording: Recording; created: boolean }>;
  get(id: string): Promise<Recording | null>;
  getBySourceKey(sourceKey: string): Promise<Recording | null>;
  list(filter?: { state?: RecordingState }): Promise<Recording[]>;
  /**
   * Atomically takes the lease of the next due recording (or of `id`), so two workers never hold
   * the same one. Null when nothing is due or `id` is leased by another worker, published or failed.
   */
  claim(owner: string, now: number, leaseMs: number, id?: string): Promise<Recording | null>;
  /**
   * Extends the owner's lease; false when another worker took it. A lease that lapsed while
   * nobody else claimed it is still the owner's (a busy machine may miss a heartbeat).
   */
  renew(id: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Changes a leased recording; throws `LeaseLostError` when `owner` does not hold the lease. */
  update(id: string, owner: string, patch: RecordingPatch, now: number): Promise<Recording>;
  /** Gives the lease back. */
  release(id: string, owner: string, now: number): Promise<void>;
  /** Requeues a failed recording now, attempts reset; or, for a published one, its failed captions step. */
  retry(id: string, now: number): Promise<Recording>;
  /**
   * Queues the captions step of a published recording now (attempts reset), with what it should
   * publish: hand-made captions or chapters staged on S3, or (neither) speech recognition.
   */
  queueCaptions(id: string, now: number, input?: { captionsInput?: string; chaptersInput?: string }): Promise<Recording>;
  /**
   * Requeues a published recording to write its repository copy again (gone, moved, or a new
   * title or course): the media on S3 is kept and reused.
   */
  republish(id: string, now: number, changes?: RepublishChanges): Promise<Recording>;
  close(): Promise<void>;
}

export type RepublishChanges = Partial<Pick<Recording, 'title' | 'course'>>;

export class CatalogError extends Error {
  readonly code: string = 'catalog';
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** The worker no longer holds the recording's lease: another one took it over. */
export class LeaseLostError extends CatalogError {
  override readonly code = 'lease_lost';
  constructor(id: string) {
    super(`recording ${id}: the lease is held by another worker`);
    this.name = 'LeaseLostError';
  }
}

/** The captions step's columns (SQLite and PostgreSQL name their types differently). */
export function CAPTIONS_MIGRATION(bigint: string, real: string): string {
  return [
    `ALTER TABLE recordings ADD COLUMN captions_state TEXT CHECK (captions_state IN ('queued','recognizing','published','failed'))`,
    'ALTER TABLE recordings ADD COLUMN captions_source TEXT',
    'ALTER TABLE recordings ADD COLUMN captions_language TEXT',
    `ALTER TABLE recordings ADD COLUMN captions_confidence ${real}`,
    'ALTER TABLE recordings ADD COLUMN captions_autoselect INTEGER',
    'ALTER TABLE recordings ADD COLUMN captions_note TEXT',
    'ALTER TABLE recordings ADD COLUMN captions_attempts INTEGER NOT NULL DEFAULT 0',
    `ALTER TABLE recordings ADD COLUMN captions_next_at ${bigint}`,
    'ALTER TABLE recordings ADD COLUMN captions_error TEXT',
    'ALTER TABLE recordings ADD COLUMN captions_error_code TEXT',
    'ALTER TABLE recordings ADD COLUMN audio_key TEXT',
    'ALTER TABLE recordings ADD COLUMN captions_input TEXT',
    'ALTER TABLE recordings ADD COLUMN chapters_input TEXT',
    'ALTER TABLE recordings ADD COLUMN chapters_source TEXT',
  ].join(';\n');
}

/** Migrations, applied in order once each; `user_version` counts how many ran. */
export const MIGRATIONS: string[] = [
  `CREATE TABLE recordings (
     id TEXT PRIMARY KEY,
     source_key TEXT NOT NULL UNIQUE,
     source_kind TEXT NOT NULL CHECK (source_kind IN ('file', 'zoom')),
     source TEXT NOT NULL,
     download_token TEXT,
     transcript_source TEXT,
     expected_size INTEGER,
     course TEXT NOT NULL,
     title TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     duration_seconds REAL,
     dir TEXT UNIQUE,
     state TEXT NOT NULL CHECK (state IN ('queued','downloading','transcoding','uploading','published','failed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     last_error_code TEXT,
     next_attempt_at INTEGER NOT NULL,
     lease_owner TEXT,
     lease_until INTEGER,
     repository_path TEXT,
     master_key TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX recordings_due ON recordings (state, next_attempt_at);`,
  `ALTER TABLE recordings ADD COLUMN lease_since INTEGER;
   ALTER TABLE recordings ADD COLUMN staged_key TEXT;`,
  CAPTIONS_MIGRATION('INTEGER', 'REAL'),
];

export const COLUMNS: Record<keyof Recording, string> = {
  id: 'id',
  sourceKey: 'source_key',
  sourceKind: 'source_kind',
  source: 'source',
  downloadToken: 'download_token',
  transcriptSource: 'transcript_source',
  expectedSize: 'expected_size',
  course: 'course',
  title: 'title',
  recordedAt: 'recorded_at',
  durationSeconds: 'duration_seconds',
  dir: 'dir',
  state: 'state',
  attempts: 'attempts',
  lastError: 'last_error',
  lastErrorCode: 'last_error_code',
  nextAttemptAt: 'next_attempt_at',
  leaseOwner: 'lease_owner',
  leaseUntil: 'lease_until',
  leaseSince: 'lease_since',
  stagedKey: 'staged_key',
  repositoryPath: 'repository_path',
  masterKey: 'master_key',
  captionsState: 'captions_state',
  captionsSource: 'captions_source',
  captionsLanguage: 'captions_language',
  captionsConfidence: 'captions_confidence',
  captionsAutoselect: 'captions_autoselect',
  captionsNote: 'captions_note',
  captionsAttempts: 'captions_attempts',
  captionsNextAt: 'captions_next_at',
  captionsError: 'captions_error',
  captionsErrorCode: 'captions_error_code',
  audioKey: 'audio_key',
  captionsInput: 'captions_input',
  chaptersInput: 'chapters_input',
  chaptersSource: 'chapters_source',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

export function fromRow(row: Record<string, unknown> | undefined): Recording | null {
  if (!row) return null;
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) out[key] = row[column] ?? null;
  return out as unknown as Recording;
}

export const ACTIVE = `state NOT IN ('published', 'failed')`;
/** What a worker may claim: a recording on its way to `published`, or a published one whose captions step is queued. */
export const CLAIMABLE = `(${ACTIVE} OR (state = 'published' AND captions_state = 'queued'))`;
/** When it is due: the captions step has its own retry time. */
export const DUE_AT = `(CASE WHEN state = 'published' THEN captions_next_at ELSE next_attempt_at END)`;
/** The SET clause that queues the captions step (parameters: now, captions input, chapters input). */
export const QUEUE_CAPTIONS = (now: string, captions: string, chapters: string) =>
  `captions_state = 'queued', captions_attempts = 0, captions_next_at = ${now}, captions_error = NULL, captions_error_code = NULL,
   captions_input = coalesce(${captions}, captions_input), chapters_input = coalesce(${chapters}, chapters_input), updated_at = ${now}`;

/** The SET clause of a claim: the lease, and since when (kept when the owner claims again). */
export const TAKE_LEASE = (owner: string, until: string, now: string) =>
  `lease_since = CASE WHEN lease_owner = ${owner} THEN coalesce(lease_since, ${now}) ELSE ${now} END,
   lease_owner = ${owner}, lease_until = ${until}, updated_at = ${now}`;

/** Opens the catalog the settings name: PostgreSQL for a `postgres://` URL, else the SQLite file. */
export async function openCatalog(config: { catalogUrl?: string | undefined; catalogPath: string }): Promise<Catalog> {
  if (config.catalogUrl) {
    const { PostgresCatalog } = await import('./catalog-postgres.ts');
    return PostgresCatalog.open(config.catalogUrl);
  }
  return new SqliteCatalog(config.catalogPath);
}

export class SqliteCatalog implements Catalog {
  readonly #db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    this.#migrate();
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new CatalogError(`the catalog is at schema version ${version}, newer than this program (${MIGRATIONS.length})`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[v]!);
        this.#db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  async add(input: NewRecording, now: number): Promise<{ recording: Recording; created: boolean }> {
    return this.#db.transaction(() => {
      const existing = this.#getBySourceKey(input.sourceKey);
      if (existing) return { recording: existing, created: false };
      const id = randomUUID();
      this.#db
        .prepare(
          `INSERT INTO recordings (id, source_key, source_kind, source, download_token, transcript_source, expected_size,
             staged_key, course, title, recorded_at, state, attempts, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)`,
        )
        .run(id, input.sourceKey, input.sourceKind, input.source, input.downloadToken ?? null, input.transcriptSource ?? null,
          input.expectedSize ?? null, input.stagedKey ?? null, input.course, input.title, input.recordedAt, now, now, now);
      return { recording: this.#get(id)!, created: true };
    }).immediate();
  }

  async get(id: string): Promise<Recording | null> {
    return this.#get(id);
  }

  #get(id: string): Recording | null {
    return fromRow(this.#db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as Record<string, unknown> | undefined);
  }

  async getBySourceKey(sourceKey: string): Promise<Recording | null> {
    return this.#getBySourceKey(sourceKey);
  }

  #getBySourceKey(sourceKey: string): Recording | null {
    return fromRow(this.#db.prepare('SELECT * FROM recordings WHERE source_key = ?').get(sourceKey) as Record<string, unknown> | undefined);
  }

  async list(filter: { state?: RecordingState } = {}): Promise<Recording[]> {
    const rows = filter.state
      ? this.#db.prepare('SELECT * FROM recordings WHERE state = ? ORDER BY created_at, rowid').all(filter.state)
      : this.#db.prepare('SELECT * FROM recordings ORDER BY created_at, rowid').all();
    return (rows as Record<string, unknown>[]).map((r) => fromRow(r)!);
  }

  async claim(owner: string, now: number, leaseMs: number, id?: string): Promise<Recording | null> {
    // One UPDATE decides; with SQLite's single writer (BEGIN IMMEDIATE) nobody else can slip in.
    const free = `(lease_until IS NULL OR lease_until <= @now OR lease_owner = @owner)`;
    const row = this.#db.transaction(() =>
      id
        ? this.#db
            .prepare(`UPDATE recordings SET ${TAKE_LEASE('@owner', '@until', '@now')}
                      WHERE id = @id AND ${CLAIMABLE} AND ${free} RETURNING *`)
            .get({ owner, now, until: now + leaseMs, id })
        : this.#db
            .prepare(`UPDATE recordings SET ${TAKE_LEASE('@owner', '@until', '@now')}
                      WHERE id = (SELECT id FROM recordings WHERE ${CLAIMABLE} AND ${DUE_AT} <= @now AND ${free}
                                  ORDER BY ${DUE_AT}, created_at, rowid LIMIT 1)
                      RETURNING *`)
            .get({ owner, now, until: now + leaseMs }),
    ).immediate();
    return fromRow(row as Record<string, unknown> | undefined);
  }

  async renew(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const info = this.#db
      .prepare('UPDATE recordings SET lease_until = ? WHERE id = ? AND lease_owner = ?')
      .run(now + leaseMs, id, owner);
    return info.changes === 1;
  }

  async update(id: string, owner: string, patch: RecordingPatch, now: number): Promise<Recording> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    const sets = entries.map(([k]) => `${COLUMNS[k as keyof Recording]} = ?`);
    const info = this.#db
      .prepare(`UPDATE recordings SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE id = ? AND lease_owner = ?`)
      .run(...entries.map(([, v]) => v as string | number | null), now, id, owner);
    if (info.changes !== 1) throw new LeaseLostError(id);
    return this.#get(id)!;
  }

  async release(id: string, owner: string, now: number): Promise<void> {
    this.#db
      .prepare('UPDATE recordings SET lease_owner = NULL, lease_until = NULL, lease_since = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?')
      .run(now, id, owner);
  }

  async retry(id: string, now: number): Promise<Recording> {
    const recording = this.#get(id);
    if (!recording) throw new CatalogError(`no recording ${id}`);
    if (recording.state === 'published' && recording.captionsState === 'failed') return this.queueCaptions(id, now);
    if (recording.state !== 'failed') throw new CatalogError(`recording ${id} is ${recording.state}, not failed`);
    this.#db
      .prepare(`UPDATE recordings SET state = 'queued', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, lease_since = NULL, updated_at = ? WHERE id = ?`)
      .run(now, now, id);
    return this.#get(id)!;
  }

  async queueCaptions(id: string, now: number, input: { captionsInput?: string; chaptersInput?: string } = {}): Promise<Recording> {
    const info = this.#db
      .prepare(`UPDATE recordings SET ${QUEUE_CAPTIONS('@now', '@captions', '@chapters')} WHERE id = @id AND state = 'published'`)
      .run({ now, captions: input.captionsInput ?? null, chapters: input.chaptersInput ?? null, id });
    if (info.changes !== 1) throw new CatalogError(`recording ${id} is not published`);
    return this.#get(id)!;
  }

  async republish(id: string, now: number, changes: RepublishChanges = {}): Promise<Recording> {
    const info = this.#db
      .prepare(`UPDATE recordings SET state = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ?,
                  title = coalesce(?, title), course = coalesce(?, course) WHERE id = ? AND state = 'published'`)
      .run(now, now, changes.title ?? null, changes.course ?? null, id);
    if (info.changes !== 1) throw new CatalogError(`recording ${id} is not published`);
    return this.#get(id)!;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
