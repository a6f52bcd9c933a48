/**
 * The quality menu's rules, apart from video.js: the items (Auto plus one per rung, highest first),
 * which is chosen, which is playing, and what choosing does to the quality levels.
 */
export interface LevelLike {
  id: string;
  height?: number;
  width?: number;
  bitrate?: number;
  enabled: boolean;
}

export interface QualityItem {
  /** `auto` or the level id. */
  key: string;
  label: string;
  selected: boolean;
  playing: boolean;
}

export function rungLabel(level: Pick<LevelLike, 'height' | 'bitrate'>): string {
  if (level.height) return `${level.height}p`;
  if (level.bitrate) return `${Math.round(level.bitrate / 1000)} kbps`;
  return '?';
}

/** `auto` when every level is enabled (or none is: VHS then plays anything), else the one enabled level's id. */
export function chosenKey(levels: readonly LevelLike[]): string {
  const enabled = levels.filter((l) => l.enabled);
  return enabled.length === 1 && levels.length > 1 ? enabled[0]!.id : 'auto';
}

export function qualityItems(levels: readonly LevelLike[], playingIndex: number, autoLabel: string): QualityItem[] {
  const chosen = chosenKey(levels);
  const playing = levels[playingIndex];
  const sorted = [...levels].sort((a, b) => (b.height ?? 0) - (a.height ?? 0) || (b.bitrate ?? 0) - (a.bitrate ?? 0));
  const auto: QualityItem = {
    key: 'auto',
    label: playing && chosen === 'auto' ? `${autoLabel} (${rungLabel(playing)})` : autoLabel,
    selected: chosen === 'auto',
    playing: false,
  };
  return [
    auto,
    ...sorted.map((level) => ({
      key: level.id,
      label: rungLabel(level),
      selected: chosen === level.id,
      playing: level === playing,
    })),
  ];
}

/** Enables exactly the chosen level, or all for `auto`. */
export function choose(levels: readonly LevelLike[], key: string): void {
  const exists = key === 'auto' || levels.some((l) => l.id === key);
  for (const level of levels) level.enabled = !exists || key === 'auto' || level.id === key;
}

/** The label on the button: the playing rung, so the viewer sees what Auto picked. */
export function buttonLabel(levels: readonly LevelLike[], playingIndex: number, autoLabel: string): string {
  const playing = levels[playingIndex];
  return playing ? rungLabel(playing) : autoLabel;
}
