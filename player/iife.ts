/**
 * Entry of the `<script>` build: video.js comes from the page (global `videojs`), the plugin is
 * registered on it at once and exposed as the global `hlsgate`.
 */
import videojs from 'video.js';
import { VERSION, registerHlsgate } from './plugin.ts';

registerHlsgate(videojs);

export { VERSION, registerHlsgate };
export { DEFAULT_LABELS } from './errors.ts';
