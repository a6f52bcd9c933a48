export interface PublishInput {
    root: string;
    course: string;
    /** `<date> - <title>` without extension, already sanitised. */
    baseName: string;
    content: string;
    /** Where this recording was published before (a rerun rewrites that file, never a new one). */
    previousPath?: string | null;
}
/**
 * Writes the master into `<root>/<course>/`, never over another recording's file: the first free
 * name of `base.m3u8`, `base (2).m3u8`, … is taken with link(2), which fails when the name exists,
 * so two workers can never take the same name and a reader never sees a partial file.
 */
export declare function publishMaster(input: PublishInput): Promise<string>;
