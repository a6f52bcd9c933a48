import { describe, expect, it } from 'vitest';
import { buttonLabel, choose, chosenKey, qualityItems } from './quality.ts';

const ladder = () => [
  { id: '0-360', height: 360, bitrate: 800_000, enabled: true },
  { id: '1-720', height: 720, bitrate: 3_000_000, enabled: true },
  { id: '2-480', height: 480, bitrate: 1_400_000, enabled: true },
];

describe('quality menu rules', () => {
  it('lists Auto then the rungs highest first, Auto chosen, the playing rung marked', () => {
    const items = qualityItems(ladder(), 2, 'Auto');
    expect(items.map((i) => i.label)).toEqual(['Auto (480p)', '720p', '480p', '360p']);
    expect(items.filter((i) => i.selected).map((i) => i.key)).toEqual(['auto']);
    expect(items.filter((i) => i.playing).map((i) => i.key)).toEqual(['2-480']);
  });

  it('choosing a rung enables only it; Auto enables all again', () => {
    const levels = ladder();
    choose(levels, '1-720');
    expect(levels.map((l) => l.enabled)).toEqual([false, true, false]);
    expect(chosenKey(levels)).toBe('1-720');
    const items = qualityItems(levels, 1, 'Auto');
    expect(items[0]!.label).toBe('Auto');
    expect(items.find((i) => i.selected)!.key).toBe('1-720');
    choose(levels, 'auto');
    expect(levels.every((l) => l.enabled)).toBe(true);
    expect(chosenKey(levels)).toBe('auto');
  });

  it('an unknown key falls back to Auto rather than disabling everything', () => {
    const levels = ladder();
    choose(levels, 'gone');
    expect(levels.every((l) => l.enabled)).toBe(true);
  });

  it('the button shows the playing rung, or Auto before one plays', () => {
    expect(buttonLabel(ladder(), 1, 'Auto')).toBe('720p');
    expect(buttonLabel(ladder(), -1, 'Auto')).toBe('Auto');
    expect(qualityItems([], -1, 'Auto')).toEqual([{ key: 'auto', label: 'Auto', selected: true, playing: false }]);
  });
});
