/**
 * The demo page: the first lecture in an hlsgate player beside a live panel, and buttons that break
 * the cookies on purpose. Query parameters (the browser tests use them): `video` (index, default 0),
 * `tokenTtl` (s), `token` (`none` | `forged`), `autoplay` (1: muted autoplay), `engine` (`hlsjs`:
 * hls.js instead of video.js), `captions` (1: an English subtitles track), `lean` (0: the player as
 * before "lean until play", for comparison), `native` (1: the browser's own HLS where it has one,
 * Safari's native path), `signing` (`query`: the signature appended to every request instead of cookies).
 */
import { authOutage, deleteSession, setCookieTtl, token, waitForVideos } from './dev-api.ts';
import { cookiePath, createDemoPlayer, playingRung, setupFromQuery, type DemoPlayer } from './player-setup.ts';

declare global {
  interface Window {
    hlsgateDemo?: DemoPlayer;
  }
}

const $ = (id: string) => document.getElementById(id)!;
const params = new URLSearchParams(location.search);
const status = $('status');

function note(text: string): void {
  status.textContent = text;
}

function addEvent(text: string, kind = ''): void {
  const list = $('events');
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  list.prepend(item);
  while (list.children.length > 14) list.lastElementChild!.remove();
}

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${Math.max(0, ms / 1000).toFixed(1)} s`);

async function main(): Promise<void> {
  const list = await waitForVideos(note);
  note('');
  const video = list[Number(params.get('video') ?? 0)] ?? list[0]!;
  const mode = params.get('token');
  const setup = setupFromQuery(params);
  const engine = setup.engine;
  $('engine').textContent = engine === 'hlsjs' ? 'hls.js' : 'video.js';
  const demo = createDemoPlayer($('player'), video, {
    ...setup,
    ...(params.get('captions') === '1' ? { captions: '/captions-en.vtt' } : {}),
    ...(params.get('tokenTtl') ? { tokenTtl: Number(params.get('tokenTtl')) } : {}),
    ...(mode === 'none' || mode === 'forged' ? { tokenMode: mode } : {}),
  });
  window.hlsgateDemo = demo;
  document.title = `${video.title} — hlsgate demo (${engine === 'hlsjs' ? 'hls.js' : 'video.js'})`;

  // The panel reads the demo's log, which records every hlsgate event of either engine.
  let seen = 0;
  const describe = (type: string, e: Record<string, unknown>): [string, string] | undefined => {
    switch (type) {
      case 'hlsgate:session':
        return e.initial ? [`session: cookies for ${e.lifetime} s`, 'ok'] : undefined;
      case 'hlsgate:refresh':
        return [`refresh (${e.reason}) in ${Math.round(e.durationMs as number)} ms: cookies for ${e.lifetime} s`, 'ok'];
      case 'hlsgate:retry':
        return [
          e.kind === 'session'
            ? `auth server failed: retry ${e.attempt} in ${e.delayMs} ms`
            : `${e.status === 0 ? 'no answer' : e.status} on a ${e.requestType ?? 'media'} request: refresh + retry`,
          'warn',
        ];
      case 'hlsgate:error':
        return [`${e.fatal ? 'ERROR' : 'trouble'} ${e.code}: ${e.message}`, e.fatal ? 'bad' : 'warn'];
      case 'hlsgate:signing':
        return [`cookies not sent: switched to query signing`, 'warn'];
      case 'excludeplaylist':
        return ['the engine dropped a rendition (should not happen)', 'bad'];
      default:
        return undefined;
    }
  };

  const button = (id: string, action: () => Promise<unknown>, done: string) => {
    $(id).addEventListener('click', async () => {
      const el = $(id) as HTMLButtonElement;
      el.disabled = true;
      try {
        await action();
        addEvent(done, 'you');
      } catch (error) {
        addEvent(`failed: ${(error as Error).message}`, 'bad');
      } finally {
        el.disabled = false;
      }
    });
  };
  button('short-ttl', () => setCookieTtl(20), 'you: new sessions get 20 s cookies (from the next refresh on)');
  button('long-ttl', () => setCookieTtl(600), 'you: new sessions get 600 s cookies');
  button(
    'delete-cookies',
    async () => deleteSession(demo.lastToken ?? (await token(video.res))),
    'you: deleted this video’s cookies — the next request gets 403',
  );
  button('outage', () => authOutage(30), 'you: auth server answers 503 for 30 s');

  const tick = () => {
    for (; seen < demo.log.length; seen += 1) {
      const entry = demo.log[seen]!;
      const line = describe(entry.type, entry.detail ?? {});
      if (line) addEvent(...line);
    }
    const stats = demo.stats?.();
    if (!stats) return;
    const s = stats.session;
    $('cookie-expiry').textContent = seconds(stats.cookieRemainingMs);
    $('cookie-lifetime').textContent = s ? `${s.lifetime} s` : '—';
    $('next-refresh').textContent = s ? seconds(s.refreshAfter * 1000 - (performance.now() - s.receivedAt)) : '—';
    $('cookie-path').textContent = cookiePath(s?.resource);
    const fraction = s && stats.cookieRemainingMs !== undefined ? Math.max(0, stats.cookieRemainingMs / (s.lifetime * 1000)) : 0;
    ($('cookie-bar') as HTMLElement).style.width = `${(fraction * 100).toFixed(1)}%`;
    $('refreshes').textContent = String(stats.refreshes);
    $('session-retries').textContent = String(stats.sessionRetries);
    $('request-recoveries').textContent = String(stats.requestRecoveries);
    $('token-requests').textContent = String(stats.tokenRequests);
    $('rung').textContent = playingRung(demo);
    const bw = demo.bandwidth();
    $('bandwidth').textContent = bw && Number.isFinite(bw) ? `${(bw / 1e6).toFixed(1)} Mbit/s` : '—';
    $('buffer').textContent = `${demo.bufferAhead().toFixed(1)} s`;
    $('position').textContent = `${demo.currentTime().toFixed(1)} / ${demo.duration().toFixed(0)} s`;
  };
  const timer = setInterval(() => {
    if (!demo.box.isConnected) return clearInterval(timer);
    tick();
  }, 250);
}

main().catch((error: unknown) => note(`The demo failed: ${(error as Error).message}`));
