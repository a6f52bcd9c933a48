/**
 * Several players of one video share its cookies (one `Path=/PREFIX/<dir>/`), so they share one
 * refresh: whoever asks while a refresh for that video is in flight gets the same promise, and the
 * newest session of each video is kept so a player whose timer fires just after another player's
 * refresh adopts it instead of asking again. Players of different videos never share: each video's
 * cookies have their own path. Keys are the video's resource prefix (`…/lectures/<dir>/`).
 *
 * A shared request belongs to the video, not to the player that happened to start it: it runs under
 * the entry's abort signal, which only the last player of that video to leave aborts.
 */
export interface SharedEntry<T> {
  inflight: Promise<T> | undefined;
  latest: T | undefined;
  /** Bumped on every completed refresh, so a caller can tell whether someone refreshed since. */
  generation: number;
  users: number;
  /** Aborted when the last player of the video releases it. */
  controller: AbortController;
}

export class SharedRefresh<T> {
  private readonly entries = new Map<string, SharedEntry<T>>();

  /** Registers a player of `key`; call `release` on dispose. */
  acquire(key: string): SharedEntry<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { inflight: undefined, latest: undefined, generation: 0, users: 0, controller: new AbortController() };
      this.entries.set(key, entry);
    }
    entry.users += 1;
    return entry;
  }

  release(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users <= 0) {
      this.entries.delete(key);
      entry.controller.abort(new Error('disposed'));
    }
  }

  /**
   * Runs `refresh` for `key` unless one is in flight, in which case the caller joins it.
   * `joined` tells the caller whether it rode on another's request. `refresh` gets the video's
   * signal: it must not use its caller's, whose player may leave while others wait on the answer.
   */
  run(key: string, refresh: (signal: AbortSignal) => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const entry = this.entries.get(key);
    if (!entry) return { promise: refresh(new AbortController().signal), joined: false };
    if (entry.inflight) return { promise: entry.inflight, joined: true };
    const promise = refresh(entry.controller.signal).then(
      (value) => {
        entry.latest = value;
        entry.generation += 1;
        entry.inflight = undefined;
        return value;
      },
      (error: unknown) => {
        entry.inflight = undefined;
        throw error;
      },
    );
    entry.inflight = promise;
    return { promise, joined: false };
  }

  entry(key: string): SharedEntry<T> | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The one hub of a page: every hlsgate player registers here. */
export const pageSessions = new SharedRefresh<unknown>();

/** The key of a video: the folder of its master playlist, which is the token's `res`. */
export function resourceKey(masterUrl: string): string {
  const url = new URL(masterUrl);
  url.search = '';
  url.hash = '';
  return new URL('.', url).href;
}
