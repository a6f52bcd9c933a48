import { describe, expect, it } from 'vitest';
import { hasPicture, pictureRect, placeMark, within } from './watermark.ts';

describe('watermark placement', () => {
  it('finds the picture inside a letterboxed or pillarboxed box', () => {
    expect(pictureRect({ width: 1600, height: 900 }, 1280, 720)).toEqual({ x: 0, y: 0, width: 1600, height: 900 });
    // A 16:9 video in a 4:3 screen (fullscreen on an old monitor): bars above and below.
    expect(pictureRect({ width: 1024, height: 768 }, 1280, 720)).toEqual({ x: 0, y: 96, width: 1024, height: 576 });
    // A 16:9 video on a tall phone in fullscreen: bars on the sides of a 4:3 picture.
    expect(pictureRect({ width: 400, height: 800 }, 640, 480)).toEqual({ x: 0, y: 250, width: 400, height: 300 });
    expect(pictureRect({ width: 2000, height: 800 }, 1280, 720)).toEqual({ x: (2000 - 800 * (16 / 9)) / 2, y: 0, width: 800 * (16 / 9), height: 800 });
    // Size not known yet: the whole box.
    expect(pictureRect({ width: 320, height: 180 }, 0, 0)).toEqual({ x: 0, y: 0, width: 320, height: 180 });
  });

  it('keeps the mark inside the picture at every fraction, even a mark wider than the picture', () => {
    const picture = { x: 10, y: 96, width: 300, height: 169 };
    for (const mark of [{ width: 180, height: 18 }, { width: 300, height: 40 }, { width: 420, height: 20 }]) {
      for (const fx of [0, 0.25, 0.999, 1]) {
        for (const fy of [0, 0.5, 1]) {
          const { left, top } = placeMark(picture, mark, fx, fy);
          expect(left).toBeGreaterThanOrEqual(picture.x);
          expect(top).toBeGreaterThanOrEqual(picture.y);
          if (mark.width <= picture.width) expect(left + mark.width).toBeLessThanOrEqual(picture.x + picture.width + 0.5);
          expect(top + mark.height).toBeLessThanOrEqual(picture.y + picture.height + 0.5);
        }
      }
    }
  });

  it('draws only once there is a frame: size known and the current position\'s data there', () => {
    expect(hasPicture({ readyState: 0, videoWidth: 0, videoHeight: 0 })).toBe(false); // not played (lean until play)
    expect(hasPicture({ readyState: 1, videoWidth: 1280, videoHeight: 720 })).toBe(false); // metadata only
    expect(hasPicture({ readyState: 2, videoWidth: 1280, videoHeight: 720 })).toBe(true);
    expect(hasPicture({ readyState: 4, videoWidth: 0, videoHeight: 0 })).toBe(false); // audio only
  });

  it("tells a layer that covers the player's box from one over an ancestor (a box that is not a containing block)", () => {
    const box = { x: 100, y: 600, width: 640, height: 360 };
    expect(within({ x: 100.4, y: 600, width: 640, height: 359.6 }, box)).toBe(true);
    // position: static: the layer covers the page area above, across the player before it.
    expect(within({ x: 0, y: 0, width: 1280, height: 2000 }, box)).toBe(false);
    expect(within({ x: 100, y: 420, width: 640, height: 360 }, box)).toBe(false);
  });
});
