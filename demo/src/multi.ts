/**
 * Three players on one page: Lecture 1, Lecture 2, Lecture 1 again. Query `autoplay=1` starts them
 * muted (the browser tests use it), `engine=hlsjs` plays them with hls.js.
 */
import { waitForVideos } from './dev-api.ts';
import { cookiePath, createDemoPlayer, playingRung, setupFromQuery, type DemoPlayer } from './player-setup.ts';

declare global {
  interface Window {
    hlsgatePlayers?: DemoPlayer[];
  }
}

const root = document.getElementById('players')!;
const params = new URLSearchParams(location.search);

async function main(): Promise<void> {
  const list = await waitForVideos((text) => (root.textContent = text));
  root.textContent = '';
  const picks = [list[0]!, list[1] ?? list[0]!, list[0]!];
  const players = picks.map((video, i) => {
    const card = document.createElement('section');
    card.className = 'card';
    card.innerHTML = `<h2></h2><div class="slot"></div><dl>
      <dt>cookie path</dt><dd data-k="path">—</dd><dt>expire in</dt><dd data-k="expiry">—</dd>
      <dt>refreshes (joined)</dt><dd data-k="refreshes">0</dd><dt>playing rung</dt><dd data-k="rung">—</dd></dl>`;
    card.querySelector('h2')!.textContent = `${video.title}${i === 2 ? ' (again)' : ''}`;
    root.appendChild(card);
    const demo = createDemoPlayer(card.querySelector('.slot') as HTMLElement, video, setupFromQuery(params));
    const set = (k: string, v: string) => ((card.querySelector(`[data-k="${k}"]`) as HTMLElement).textContent = v);
    setInterval(() => {
      const stats = demo.stats();
      set('path', cookiePath(stats.session?.resource));
      set('expiry', stats.cookieRemainingMs === undefined ? '—' : `${Math.max(0, stats.cookieRemainingMs / 1000).toFixed(0)} s`);
      const joined = demo.log.filter((e) => e.type === 'hlsgate:refresh' && e.detail?.joined).length;
      set('refreshes', `${stats.refreshes} (${joined})`);
      set('rung', playingRung(demo));
    }, 500);
    return demo;
  });
  window.hlsgatePlayers = players;
}

main().catch((error: unknown) => (root.textContent = `The demo failed: ${(error as Error).message}`));
