/** Debian's fonts that ffmpeg's dependencies pull in (fonts-dejavu-core via fontconfig), then others. */
export declare const FALLBACK_FONTS: string[];
/** A sans-serif font file for the watermark; an IngestError (fatal) when there is none. */
export declare function findFont(): Promise<string>;
/** Resolves when this ffmpeg has the drawtext filter; an IngestError (fatal) otherwise. */
export declare function requireDrawtext(): Promise<void>;
