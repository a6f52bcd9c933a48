export interface TestClipOptions {
    path: string;
    seconds: number;
    width: number;
    height: number;
    fps?: number;
    /** A 440 Hz tone; false makes a silent screen capture with no audio stream at all. */
    audio?: boolean;
}
export declare function makeTestClip(options: TestClipOptions): Promise<void>;
