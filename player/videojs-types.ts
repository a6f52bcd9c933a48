/**
 * The part of video.js 8 that hlsgate uses, typed. video.js is a peer (or bundled in the AMD build),
 * and its components are classes the plugin extends at registration, so these are structural types
 * of what the plugin touches, not video.js's own declarations.
 */
export type Listener = (event?: unknown) => void;

export interface VjsEvented {
  on(type: string | string[], fn: Listener): void;
  off(type: string | string[], fn: Listener): void;
  one(type: string | string[], fn: Listener): void;
  trigger(event: string | { type: string; [key: string]: unknown }): void;
}

export interface VjsQualityLevel {
  id: string;
  height?: number;
  width?: number;
  bitrate?: number;
  enabled: boolean;
}

export interface VjsQualityLevelList extends VjsEvented {
  readonly length: number;
  readonly selectedIndex: number;
  [index: number]: VjsQualityLevel;
}

export interface VjsTech extends VjsEvented {
  el(): HTMLMediaElement;
  options_?: Record<string, unknown> & { vhs?: Record<string, unknown> };
  vhs?: { xhr?: unknown; [key: string]: unknown };
}

export interface VjsComponent extends VjsEvented {
  el(): HTMLElement;
  player(): VjsPlayer;
  isDisposed(): boolean;
  dispose(): void;
  getChild(name: string): VjsComponent | undefined;
  children(): VjsComponent[];
  addChild(name: string, options?: object, index?: number): VjsComponent;
  removeChild(child: VjsComponent): void;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
  toggleClass(name: string, add?: boolean): void;
  focus(): void;
  options_: Record<string, unknown>;
  parentComponent_?: VjsComponent;
}

export interface VjsPlayer extends VjsComponent {
  tech(iWillNotUseThisInPlugins?: boolean): VjsTech | undefined;
  ready(fn: () => void): void;
  src(source?: { src: string; type: string; withCredentials?: boolean }): unknown;
  crossOrigin(value?: string | null): string | null | undefined;
  preload(value?: string): string;
  playbackRates(rates?: number[]): number[];
  paused(): boolean;
  play(): Promise<void> | undefined;
  currentTime(): number;
  error(error?: { code: number; message: string } | null): { code: number; message: string } | null;
  qualityLevels?(): VjsQualityLevelList;
  isDisposed(): boolean;
  hlsgate(options?: object): unknown;
}

export interface VjsComponentClass {
  new (player: VjsPlayer, options?: object): VjsComponent;
}

export interface VideojsStatic {
  getPlugin(name: string): unknown;
  getComponent(name: string): unknown;
  registerComponent(name: string, component: unknown): unknown;
  registerPlugin(name: string, plugin: unknown): unknown;
  dom: { createEl(tag: string, props?: object, attrs?: object): HTMLElement };
}
