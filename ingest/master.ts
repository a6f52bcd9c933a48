/**
 * Playlists: reading the ones ffmpeg writes, composing the master ourselves (ffmpeg 5.1 leaves out
 * FRAME-RATE and AVERAGE-BANDWIDTH and derives BANDWIDTH from settings, not from the segments),
 * and the repository copy with absolute URIs. Pure.
 */

export interface MediaSegment {
  uri: string;
  duration: number;
}

export interface MediaPlaylist {
  targetDuration: number;
  segments: MediaSegment[];
  endList: boolean;
  /** `#EXT-X-MAP` URI (the init section of fMP4 segments), or null. */
  initUri: string | null;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an M3U8 playlist');
  let targetDuration = 0;
  let endList = false;
  let pending: number | null = null;
  let initUri: string | null = null;
  const segments: MediaSegment[] = [];
  for (const line of lines) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) initUri = parseAttributes(line.slice(11)).URI ?? null;
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line === '#EXT-X-ENDLIST') endList = true;
    else if (line && !line.startsWith('#')) {
      if (pending === null || !Number.isFinite(pending)) throw new Error(`segment ${line} has no #EXTINF`);
      segments.push({ uri: line, duration: pending });
      pending = null;
    }
  }
  return { targetDuration, segments, endList, initUri };
}

/** `A=1,B="x,y"` → {A: '1', B: 'x,y'} */
export function parseAttributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (let m = re.exec(list); m; m = re.exec(list)) {
    const value = m[2]!;
    out[m[1]!] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  return out;
}

export interface MasterVariant {
  attributes: Record<string, string>;
  uri: string;
}

/** The `#EXT-X-STREAM-INF` entries of a master playlist. */
export function parseMasterVariants(text: string): MasterVariant[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const out: MasterVariant[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    let j = i + 1;
    while (j < lines.length && (lines[j] === '' || lines[j]!.startsWith('#'))) j++;
    if (j >= lines.length) throw new Error('#EXT-X-STREAM-INF without a URI');
    out.push({ attributes: parseAttributes(line.slice(18)), uri: lines[j]! });
    i = j;
  }
  return out;
}

const H264_PROFILE_IDC: Record<string, [number, number]> = {
  // profile → [profile_idc, constraint flags byte] as x264 writes them
  'Constrained Baseline': [66, 0xc0],
  Baseline: [66, 0x80],
  Main: [77, 0x40],
  High: [100, 0x00],
};

/** `avc1.PPCCLL` from ffprobe's profile name and level (e.g. High, 31 → avc1.64001f). */
export function h264Codec(profile: string, level: number): string {
  const [idc, flags] = H264_PROFILE_IDC[profile] ?? [100, 0];
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `avc1.${hex(idc)}${hex(flags)}${hex(level)}`;
}

/**
 * Peak and average bitrate of a rendition from its segments' sizes (bits/s). The peak ignores a
 * final segment shorter than half the target duration: a short tail is mostly a keyframe and
 * would overstate what a player needs.
 */
export function measureBandwidth(segments: Array<{ duration: number; bytes: number }>, targetDuration: number): { peak: number; average: number } {
  if (segments.length === 0) throw new Error('a rendition without segments');
  const totalBits = segments.reduce((s, x) => s + x.bytes * 8, 0);
  const totalSeconds = segments.reduce((s, x) => s + x.duration, 0);
  const last = segments[segments.length - 1]!;
  const considered = segments.length > 1 && last.duration < targetDuration / 2 ? segments.slice(0, -1) : segments;
  const peak = Math.max(...considered.map((x) => (x.bytes * 8) / Math.max(x.duration, 0.001)));
  return { peak: Math.ceil(peak), average: Math.ceil(totalBits / Math.max(totalSeconds, 0.001)) };
}

export interface VariantInfo {
  /** Relative URI in the S3 master, e.g. `720p/index.m3u8`. */
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  width: number;
  height: number;
  frameRate: number;
}

export interface SubtitlesInfo {
  groupId: string;
  name: string;
  language: string;
  /** Relative URI, e.g. `subs/index.m3u8`. */
  uri: string;
  /** AUTOSELECT=YES (default): a player may choose it by the viewer's preferences. No for captions below the quality gate. */
  autoselect?: boolean;
}

export function subtitlesMediaLine(subtitles: SubtitlesInfo): string {
  return `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=${quoted(subtitles.groupId)},NAME=${quoted(subtitles.name)},LANGUAGE=${quoted(subtitles.language)},DEFAULT=NO,AUTOSELECT=${subtitles.autoselect === false ? 'NO' : 'YES'},FORCED=NO,URI=${quoted(subtitles.uri)}`;
}

/**
 * A published master with its subtitles rendition replaced (or removed, null): the
 * `EXT-X-MEDIA` line before the first variant and every variant's `SUBTITLES` attribute. Pure.
 */
export function withSubtitles(master: string, subtitles: SubtitlesInfo | null): string {
  const out: string[] = [];
  let placed = false;
  for (const line of master.split('\n')) {
    if (line.startsWith('#EXT-X-MEDIA:') && /(^|[:,])TYPE=SUBTITLES(,|$)/.test(line)) continue;
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      if (subtitles && !placed) out.push(subtitlesMediaLine(subtitles));
      placed = true;
      const bare = line.replace(/,SUBTITLES="[^"]*"/, '');
      out.push(subtitles ? `${bare},SUBTITLES=${quoted(subtitles.groupId)}` : bare);
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** A master with its `EXT-X-SESSION-DATA` of `dataId` set to `uri` (relative), or removed (null). Pure. */
export function withSessionData(master: string, dataId: string, uri: string | null): string {
  const lines = master.split('\n').filter((l) => !(l.startsWith('#EXT-X-SESSION-DATA:') && parseAttributes(l.slice('#EXT-X-SESSION-DATA:'.length))['DATA-ID'] === dataId));
  if (uri === null) return lines.join('\n');
  // After the header tags (EXTM3U, VERSION, INDEPENDENT-SEGMENTS), before the renditions.
  const at = lines.findIndex((l) => l.startsWith('#EXT-X-MEDIA:') || l.startsWith('#EXT-X-STREAM-INF:'));
  lines.splice(at === -1 ? lines.length : at, 0, `#EXT-X-SESSION-DATA:DATA-ID=${quoted(dataId)},URI=${quoted(uri)}`);
  return lines.join('\n');
}

/**
 * A master with its `EXT-X-SESSION-DATA` of `dataId` carrying `value` (a human-readable string in
 * `language`, RFC 8216 4.3.4.4), or removed (null). Characters a quoted-string cannot hold (double
 * quotes, line breaks) become `'` and spaces; the value is cut at `maxChars`. Pure.
 */
export function withSessionValue(master: string, dataId: string, value: string | null, language = 'en', maxChars = 400): string {
  const lines = master.split('\n').filter((l) => !(l.startsWith('#EXT-X-SESSION-DATA:') && parseAttributes(l.slice('#EXT-X-SESSION-DATA:'.length))['DATA-ID'] === dataId));
  if (value === null) return lines.join('\n');
  const clean = value.replace(/"/g, "'").replace(/[\r\n\t]+/g, ' ').replace(/\s+/g, ' ').trim();
  const cut = clean.length > maxChars ? `${clean.slice(0, maxChars - 1)}…` : clean;
  const at = lines.findIndex((l) => l.startsWith('#EXT-X-MEDIA:') || l.startsWith('#EXT-X-STREAM-INF:'));
  lines.splice(at === -1 ? lines.length : at, 0, `#EXT-X-SESSION-DATA:DATA-ID=${quoted(dataId)},VALUE=${quoted(cut)},LANGUAGE=${quoted(language)}`);
  return lines.join('\n');
}

/** The `VALUE` of a master's `EXT-X-SESSION-DATA` of `dataId`, or null. Pure. */
export function sessionValue(master: string, dataId: string): string | null {
  for (const line of master.split(/\r?\n/)) {
    if (!line.startsWith('#EXT-X-SESSION-DATA:')) continue;
    const attributes = parseAttributes(line.slice('#EXT-X-SESSION-DATA:'.length));
    if (attributes['DATA-ID'] === dataId && attributes.VALUE !== undefined) return attributes.VALUE;
  }
  return null;
}

function quoted(value: string): string {
  if (/["\r\n]/.test(value)) throw new Error(`attribute value ${JSON.stringify(value)} cannot be quoted in M3U8`);
  return `"${value}"`;
}

export interface AudioInfo {
  groupId: string;
  name: string;
  /** Relative URI, e.g. `audio/index.m3u8`. */
  uri: string;
  channels: number;
}

/**
 * The master playlist: one `#EXT-X-STREAM-INF` per rung, in the order given, plus the shared
 * audio rendition and subtitles. A variant's BANDWIDTH counts its video; the audio it plays with
 * is added here (`audioBandwidth`), as the HLS spec wants the whole of what a player fetches.
 */
export function composeMaster(
  variants: VariantInfo[],
  extras: { subtitles?: SubtitlesInfo | undefined; audio?: (AudioInfo & { bandwidth: number; averageBandwidth: number }) | undefined } = {},
): string {
  if (variants.length === 0) throw new Error('a master needs at least one variant');
  const { subtitles, audio } = extras;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=${quoted(audio.groupId)},NAME=${quoted(audio.name)},DEFAULT=YES,AUTOSELECT=YES,CHANNELS=${quoted(String(audio.channels))},URI=${quoted(audio.uri)}`,
    );
  }
  if (subtitles) lines.push(subtitlesMediaLine(subtitles));
  for (const v of variants) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth + (audio?.bandwidth ?? 0)}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth + (audio?.averageBandwidth ?? 0)}`,
      `CODECS=${quoted(v.codecs)}`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
    ];
    if (audio) attrs.push(`AUDIO=${quoted(audio.groupId)}`);
    if (subtitles) attrs.push(`SUBTITLES=${quoted(subtitles.groupId)}`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return lines.join('\n') + '\n';
}

/**
 * The repository copy: every relative URI (variant lines and `URI="…"` attributes, including
 * `#EXT-X-MAP` and `#EXT-X-MEDIA`) made absolute against `base` (`<media base>/<dir>/`).
 */
export function absolutizeMaster(text: string, base: string): string {
  if (!base.endsWith('/')) throw new Error('base must end with /');
  const resolve = (uri: string) => new URL(uri, base).href;
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (!trimmed.startsWith('#')) return resolve(trimmed);
      return line.replace(/URI="([^"]*)"/g, (_, uri: string) => `URI="${resolve(uri)}"`);
    })
    .join('\n');
}
