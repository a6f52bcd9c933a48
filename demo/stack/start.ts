/**
 * `npm start`: the local stack with the sample lectures and the demo page, until Ctrl-C.
 *
 * Settings (HLSGATE_*): MEDIA_PORT, AUTH_PORT, S3_PORT, DEMO_PORT, DATA_DIR, COOKIE_TTL,
 * DEMO (false: no demo page, e.g. under Playwright's webServer), SAMPLES (false: no sample lectures),
 * MOODLE_URL (a developer's own Moodle: its origin may use the stack, and the filter's settings to
 * paste are printed), MORE_MOODLE_URLS (comma-separated: more Moodles that may use it, e.g. the
 * tests' 4.5 and 5.1), APP_ORIGINS (comma-separated origins of pages that stand for the Moodle App's
 * web view, e.g. the app-page test's: they may use the media host and the auth server, but issue nothing).
 * Flags `--no-demo` and `--no-samples` do the same.
 */
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, setting } from '../../common/config.ts';
import { DEFAULT_PORTS } from '../../common/contracts.ts';
import { createLogger } from '../../common/log.ts';
import { MAX_COOKIE_TTL, MIN_COOKIE_TTL } from '../../server/config.ts';
import { DEFAULT_COOKIE_TTL, DEFAULT_DATA_DIR, SAMPLE_LECTURES, type Stack, startStack } from './stack.ts';

const port = (fallback: number) => setting.integer(0, 65535).default(fallback);
const shape = {
  mediaPort: port(DEFAULT_PORTS.media),
  authPort: port(DEFAULT_PORTS.auth),
  s3Port: port(DEFAULT_PORTS.s3),
  demoPort: port(DEFAULT_PORTS.demo),
  dataDir: setting.string().default(DEFAULT_DATA_DIR),
  cookieTtl: setting.integer(MIN_COOKIE_TTL, MAX_COOKIE_TTL).default(DEFAULT_COOKIE_TTL),
  demo: setting.boolean().default(true),
  samples: setting.boolean().default(true),
  moodleUrl: setting.url().optional(),
  moreMoodleUrls: setting.list().optional(),
  /** HLSGATE_SIGNED_PLAYLISTS: the auth server's per-viewer signed playlists (native HLS), off by default. */
  signedPlaylists: setting.boolean().default(false),
  appOrigins: setting.list().optional(),
};

function out(line = '') {
  process.stdout.write(`${line}\n`);
}

async function main() {
  // The SDK's notice about its future Node requirement is not news to someone starting the demo.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = new Set(process.argv.slice(2));
  for (const arg of args) {
    if (!['--no-demo', '--no-samples'].includes(arg)) throw new ConfigError([`unknown argument ${arg} (--no-demo, --no-samples)`]);
  }
  const settings = loadConfig(shape);
  const demoPage = settings.demo && !args.has('--no-demo');
  const sampleLectures = settings.samples && !args.has('--no-samples');
  const logger = createLogger({ name: 'stack' });

  const stack: Stack = await startStack({
    dataDir: resolve(settings.dataDir),
    ports: { media: settings.mediaPort, auth: settings.authPort, s3: settings.s3Port, demo: settings.demoPort },
    cookieTtl: settings.cookieTtl,
    demoPage,
    sampleLectures,
    waitForSamples: false,
    logger,
    signedPlaylists: settings.signedPlaylists,
    ...(settings.moodleUrl ? { moodleUrl: settings.moodleUrl } : {}),
    ...(settings.moreMoodleUrls ? { moreMoodleUrls: settings.moreMoodleUrls } : {}),
    ...(settings.appOrigins ? { appOrigins: settings.appOrigins } : {}),
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      out(`\n${signal} again: exiting at once.`);
      process.exit(130);
    }
    stopping = true;
    out(`\n${signal}: stopping the stack…`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const { urls } = stack;
  out('');
  out('hlsgate local stack');
  if (urls.demo) out(`  demo page     ${urls.demo}/   <- open this (three players: ${urls.demo}/multi.html)`);
  else if (demoPage) out('  demo page     not started: demo/vite.config.ts does not exist yet');
  out(`  media host    ${urls.media}   CloudFront stand-in: /lectures/<dir>/…, /_auth/…, /_dev/…`);
  out(`  auth server   ${urls.auth}   (also behind the media host at ${urls.media}/_auth/)`);
  out(`  embedded S3   ${urls.s3}   bucket "${stack.bucket}"`);
  out(`  data          ${stack.dataDir}   (delete it to start afresh; keys are reused until then)`);
  out(`  cookie TTL    ${stack.cookieTtl()} s   (POST ${urls.media}/_dev/cookie-ttl {"seconds":20} to change)`);
  out(`  lectures      ${urls.media}/_dev/videos`);
  if (stack.moodleSettings) {
    const m = stack.moodleSettings;
    out('');
    out(`Your Moodle at ${settings.moodleUrl} may use this stack. In Site administration › Plugins › Filters ›`);
    out('Protected HLS videos, set:');
    out(`  Auth server URL          ${m.authurl}`);
    out(`  Issuer                   ${m.issuer}`);
    out(`  Key id                   ${m.tokenkid}`);
    out(`  Secret                   ${m.tokensecret}`);
    out(`  Allowed media base URLs  ${m.mediabaseurls}`);
    out(`Published playlists for its File system repository: ${join(stack.dataDir, 'repository')}`);
    out(`(copy or link that folder into <moodledata>/repository/).`);
  }
  if (sampleLectures) {
    out('');
    out(`Preparing the sample lectures (${SAMPLE_LECTURES.map((l) => l.title).join(', ')}) if they are not published yet;`);
    out('on the first start this generates and transcodes them with ffmpeg (about a minute on two cores).');
    try {
      await stack.samplesReady;
      const videos = await stack.videos();
      out(`Sample lectures ready: ${videos.map((v) => v.title).join(', ')}.`);
    } catch (error) {
      if (stopping) return;
      out(`The sample lectures could not be prepared: ${(error as Error).message}`);
      out('The stack keeps running; see the log lines above.');
    }
  }
  out('Ctrl-C stops everything.');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const address = error as NodeJS.ErrnoException & { port?: number };
    process.stderr.write(
      `Port ${address.port ?? ''} is in use: is another stack running? Set HLSGATE_MEDIA_PORT, HLSGATE_AUTH_PORT, HLSGATE_S3_PORT or HLSGATE_DEMO_PORT.\n`,
    );
  } else process.stderr.write(`The stack could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
