/**
 * The demo page: the first lecture in an hlsgate player beside a live panel, and buttons that break
 * the cookies on purpose. Query parameters (the browser tests use them): `video` (index, default 0),
 * `tokenTtl` (s), `token` (`none` | `forged`), `autoplay` (1: muted autoplay), `native` (1: the
 * browser's own HLS where it has one, Safari's native path).
 */
import { authOutage, deleteSession, setCookieTtl, token, waitForVideos } from './dev-api.ts';
import { bandwidth, bufferAhead, cookiePath, createDemoPlayer, playingRung, type DemoPlayer } from './player-setup.ts';

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
  const demo = createDemoPlayer($('player'), video, {
    ...(params.get('tokenTtl') ? { tokenTtl: Number(params.get('tokenTtl')) } : {}),
    ...(mode === 'none' || mode === 'forged' ? { tokenMode: mode } : {}),
    autoplay: params.get('autoplay') === '1',
    native: params.get('native') === '1',
  });
  window.hlsgateDemo = demo;
  const { player } = demo;
  document.title = `${video.title} — hlsgate demo`;

  player.on('hlsgate:session', (e: { initial: boolean; lifetime: number; joined: boolean }) => {
    if (e.initial) addEvent(`session: cookies for ${e.lifetime} s`, 'ok');
  });
  player.on('hlsgate:refresh', (e: { reason: string; lifetime: number; durationMs: number }) =>
    addEvent(`refresh (${e.reason}) in ${Math.round(e.durationMs)} ms: cookies for ${e.lifetime} s`, 'ok'),
  );
  player.on('hlsgate:retry', (e: { kind: string; attempt?: number; delayMs?: number; status?: number; requestType?: string }) =>
    addEvent(
      e.kind === 'session'
        ? `auth server failed: retry ${e.attempt} in ${e.delayMs} ms`
        : `${e.status === 0 ? 'no answer' : e.status} on a ${e.requestType ?? 'media'} request: refresh + retry`,
      'warn',
    ),
  );
  player.on('hlsgate:error', (e: { code: string; message: string; fatal: boolean }) =>
    addEvent(`${e.fatal ? 'ERROR' : 'trouble'} ${e.code}: ${e.message}`, e.fatal ? 'bad' : 'warn'),
  );
  player.on('loadstart', () => {
    const tech = player.tech(true);
    tech?.on('excludeplaylist', () => addEvent('VHS excluded a rendition (should not happen)', 'bad'));
  });

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
    $('rung').textContent = playingRung(player);
    const bw = bandwidth(player);
    $('bandwidth').textContent = bw && Number.isFinite(bw) ? `${(bw / 1e6).toFixed(1)} Mbit/s` : '—';
    $('buffer').textContent = `${bufferAhead(player).toFixed(1)} s`;
    $('position').textContent = `${player.currentTime().toFixed(1)} / ${(player.duration() || 0).toFixed(0)} s`;
  };
  const timer = setInterval(tick, 250);
  player.on('dispose', () => clearInterval(timer));
}

main().catch((error: unknown) => note(`The demo failed: ${(error as Error).message}`));
