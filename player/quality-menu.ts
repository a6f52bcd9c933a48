/**
 * The quality menu of the video.js control bar: a video.js MenuButton (Tab, Enter/Space, arrows,
 * Escape) listing Auto and every rung, highest first; the button shows the playing rung. The rules
 * (items, labels, what choosing does) are quality.ts's; this file is the video.js glue.
 */
import { buttonLabel, choose, qualityItems, type LevelLike } from './quality.ts';
import type { VideojsStatic, VjsComponent, VjsPlayer, VjsQualityLevelList } from './videojs-types.ts';

export const QUALITY_MENU_BUTTON = 'HlsgateQualityMenuButton';

export interface QualityMenuOptions {
  label: string;
  autoLabel: string;
  /** Told after the viewer chose (`auto` or a level id) with the chosen item's label. */
  onChoose?(key: string, label: string): void;
}

interface MenuItemBase extends VjsComponent {
  selected(selected: boolean): void;
  options_: { key?: string; onChoose?: (key: string) => void } & Record<string, unknown>;
}
interface MenuButtonBase extends VjsComponent {
  menuButton_: VjsComponent;
  items?: MenuItemBase[];
  hideThreshold_: number;
  controlText(text: string): void;
  update(): void;
  buildWrapperCSSClass(): string;
  buildCSSClass(): string;
  options_: QualityMenuOptions & Record<string, unknown>;
}
type MenuItemClass = new (player: VjsPlayer, options: object) => MenuItemBase;
type MenuButtonClass = new (player: VjsPlayer, options: object) => MenuButtonBase;

/** Registers the menu button component on this video.js (once) and returns its name. */
export function registerQualityMenu(videojs: VideojsStatic): string {
  if (videojs.getComponent(QUALITY_MENU_BUTTON)) return QUALITY_MENU_BUTTON;
  const MenuButton = videojs.getComponent('MenuButton') as MenuButtonClass;
  const MenuItem = videojs.getComponent('MenuItem') as MenuItemClass;

  class QualityMenuItem extends MenuItem {
    constructor(player: VjsPlayer, options: { label: string; key: string; selected: boolean; playing: boolean; onChoose: (key: string) => void }) {
      super(player, { ...options, selectable: true, multiSelectable: false });
      this.toggleClass('vjs-hlsgate-playing', options.playing);
    }
    handleClick(): void {
      this.options_.onChoose?.(this.options_.key!);
    }
  }

  class QualityMenuButton extends MenuButton {
    private valueEl: HTMLElement | undefined;

    constructor(player: VjsPlayer, options: QualityMenuOptions) {
      super(player, options);
      this.hideThreshold_ = 1; // only "Auto": nothing to choose yet
      this.controlText(options.label);
      this.valueEl = videojs.dom.createEl('span', { className: 'vjs-hlsgate-quality-value' }, { 'aria-hidden': 'true' });
      this.menuButton_.el().appendChild(this.valueEl);
      const levels = this.list();
      // New or removed rungs rebuild the menu; a switch of the playing rung only relabels it, so an
      // open menu stays open under the viewer's pointer.
      const rebuild = () => this.update();
      const relabel = () => this.relabel();
      levels.on(['addqualitylevel', 'removequalitylevel'], rebuild);
      levels.on('change', relabel);
      this.on('dispose', () => {
        levels.off(['addqualitylevel', 'removequalitylevel'], rebuild);
        levels.off('change', relabel);
      });
      this.update();
    }

    override buildWrapperCSSClass(): string {
      return `vjs-hlsgate-quality ${super.buildWrapperCSSClass()}`;
    }

    override buildCSSClass(): string {
      return `vjs-hlsgate-quality-button ${super.buildCSSClass()}`;
    }

    private list(): VjsQualityLevelList {
      return this.player().qualityLevels!();
    }

    private levels(): LevelLike[] {
      const list = this.list();
      const out: LevelLike[] = [];
      for (let i = 0; i < list.length; i += 1) out.push(list[i]!);
      return out;
    }

    private current(): { items: ReturnType<typeof qualityItems>; label: string } {
      const { selectedIndex } = this.list();
      const levels = this.levels();
      const autoLabel = this.options_.autoLabel;
      return { items: qualityItems(levels, selectedIndex, autoLabel), label: buttonLabel(levels, selectedIndex, autoLabel) };
    }

    createItems(): MenuItemBase[] {
      const { items, label } = this.current();
      if (this.valueEl) this.valueEl.textContent = label;
      return items.map(
        (item) =>
          new QualityMenuItem(this.player(), {
            label: item.label,
            key: item.key,
            selected: item.selected,
            playing: item.playing,
            onChoose: (key: string) => {
              choose(this.levels(), key);
              this.options_.onChoose?.(key, item.label);
              this.relabel();
              this.focus();
            },
          }),
      );
    }

    relabel(): void {
      const { items, label } = this.current();
      if (this.valueEl) this.valueEl.textContent = label;
      const components = this.items ?? [];
      if (components.length !== items.length) return this.update();
      items.forEach((item, i) => {
        const component = components[i]!;
        if (component.options_.key !== item.key) return;
        const text = component.el().querySelector('.vjs-menu-item-text');
        if (text) text.textContent = item.label;
        component.selected(item.selected);
        component.toggleClass('vjs-hlsgate-playing', item.playing);
      });
    }
  }

  videojs.registerComponent(QUALITY_MENU_BUTTON, QualityMenuButton);
  return QUALITY_MENU_BUTTON;
}
