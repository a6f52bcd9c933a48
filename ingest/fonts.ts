/** What drawtext needs: the filter itself (ffmpeg built with libfreetype) and a font file. */
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { IngestError } from './errors.ts';

/** Debian's fonts that ffmpeg's dependencies pull in (fonts-dejavu-core via fontconfig), then others. */
export const FALLBACK_FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
];

let cachedFont: Promise<string> | undefined;
let cachedDrawtext: Promise<void> | undefined;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A sans-serif font file for the watermark; an IngestError (fatal) when there is none. */
export function findFont(): Promise<string> {
  cachedFont ??= (async () => {
    const matched = await execa('fc-match', ['-f', '%{file}', 'DejaVu Sans:style=Book'], { reject: false });
    const file = String(matched.stdout ?? '').trim();
    if (!matched.failed && /\.(ttf|otf|ttc)$/i.test(file) && (await exists(file))) return file;
    for (const candidate of FALLBACK_FONTS) if (await exists(candidate)) return candidate;
    throw new IngestError(
      'font_missing',
      'the watermark needs a font file and none was found (Debian: apt-get install fonts-dejavu-core), or set HLSGATE_WATERMARK_TEXT=none',
      { fatal: true },
    );
  })();
  cachedFont.catch(() => (cachedFont = undefined));
  return cachedFont;
}

/** Resolves when this ffmpeg has the drawtext filter; an IngestError (fatal) otherwise. */
export function requireDrawtext(): Promise<void> {
  cachedDrawtext ??= (async () => {
    const result = await execa('ffmpeg', ['-hide_banner', '-filters'], { reject: false });
    if (result.failed && (result as { code?: string }).code === 'ENOENT') {
      throw new IngestError('transcode_failed', 'ffmpeg is not installed (Debian: apt-get install ffmpeg)', { fatal: true });
    }
    if (!/\bdrawtext\b/.test(String(result.stdout))) {
      throw new IngestError(
        'drawtext_missing',
        'this ffmpeg has no drawtext filter (it was built without libfreetype): install a full ffmpeg, or set HLSGATE_WATERMARK_TEXT=none',
        { fatal: true },
      );
    }
  })();
  cachedDrawtext.catch(() => (cachedDrawtext = undefined));
  return cachedDrawtext;
}
