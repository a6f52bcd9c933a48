import type { DemoPlayer } from '../src/player-setup.ts';

declare global {
  interface Window {
    hlsgateDemo?: DemoPlayer;
    hlsgatePlayers?: DemoPlayer[];
  }
}
