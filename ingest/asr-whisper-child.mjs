/**
 * The whisper engine's own process (see asr-whisper.ts): whisper.cpp runs here, not in the ingest
 * worker, because a corrupt model makes ggml abort() the whole process, and a time limit must be
 * able to kill it. Plain JavaScript so that it starts with `node` alone (no TypeScript loader).
 *
 * argv[2]: JSON { model, language, chunkSeconds, threads }.
 * stdin: 16 kHz mono signed 16-bit little-endian PCM, read one chunk at a time (bounded memory:
 * stdin is not read while a chunk is transcribed, so ffmpeg waits).
 * stdout: one JSON object a line: { loaded } once the model is loaded; { offset, language,
 * segments } per chunk (segments with t0/t1 in ms from the chunk's start); { done } at the end;
 * or { error, message } before exiting with 3 (no binding), 4 (the model does not load) or 5
 * (a chunk failed, or whisper.cpp stopped without a result).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const options = JSON.parse(process.argv[2] ?? '{}');
const BYTES_PER_SECOND = 16000 * 2;

function send(message) {
  return new Promise((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()));
}

const packageName = `@fugood/node-whisper-${process.platform}-${process.arch}`;
let binding;
try {
  binding = require(packageName);
} catch (error) {
  await send({ error: 'binding', message: `${packageName} does not load: ${error instanceof Error ? error.message : String(error)}` });
  process.exit(3);
}

let context;
try {
  context = new binding.WhisperContext({ filePath: options.model, useGpu: false });
} catch (error) {
  await send({ error: 'model', message: error instanceof Error ? error.message : String(error) });
  process.exit(4);
}
await send({ loaded: true });

const chunkBytes = Math.max(1, Math.round(options.chunkSeconds)) * BYTES_PER_SECOND;
const buffer = Buffer.alloc(chunkBytes);
let fill = 0;
let offsetSeconds = 0;

/**
 * The binding's promise, watched. Its job does not hold the event loop open (without the timer,
 * Node would exit with 13 while whisper.cpp works, stdin being paused meanwhile); and when
 * whisper_full fails, the binding calls back with one argument and the promise never settles. A
 * job at work keeps this process's CPU busy, so `idleSeconds` in a row with next to no CPU means
 * the job ended without a result.
 */
function settled(promise) {
  return new Promise((resolve, reject) => {
    let last = process.cpuUsage();
    let idle = 0;
    const timer = setInterval(() => {
      const now = process.cpuUsage();
      const ms = (now.user - last.user + now.system - last.system) / 1000;
      last = now;
      idle = ms < 20 ? idle + 1 : 0;
      if (idle >= (options.idleSeconds ?? 10)) {
        clearInterval(timer);
        reject(new StalledError(`whisper.cpp stopped on the audio at ${Math.round(offsetSeconds)} s without a result (the binding gives no reason)`));
      }
    }, 1000);
    promise.then(
      (value) => (clearInterval(timer), resolve(value)),
      (error) => (clearInterval(timer), reject(error)),
    );
  });
}

class StalledError extends Error {}

async function transcribe(bytes) {
  // A copy of exactly this chunk (the binding takes a whole ArrayBuffer).
  const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + bytes);
  const { promise } = context.transcribeData(data, {
    language: options.language,
    tokenTimestamps: true,
    // One token a segment: the parent joins tokens into words and keeps their times.
    maxLen: 1,
    temperature: 0,
    ...(options.threads ? { maxThreads: options.threads } : {}),
  });
  const result = await settled(promise);
  await send({ offset: offsetSeconds, language: result.language ?? '', segments: result.segments ?? [] });
  offsetSeconds += bytes / BYTES_PER_SECOND;
}

try {
  await run();
} catch (error) {
  await send({ error: error instanceof StalledError ? 'stalled' : 'transcribe', message: error instanceof Error ? error.message : String(error) });
  process.exit(5);
}

/** Reads stdin chunk by chunk and transcribes each, the last part too. */
async function run() {
  for await (const chunk of process.stdin) {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, chunkBytes - fill);
      chunk.copy(buffer, fill, at, at + n);
      fill += n;
      at += n;
      if (fill === chunkBytes) {
        await transcribe(fill);
        fill = 0;
      }
    }
  }
  // The last part, unless it is under a second (whisper pads it to 30 s and may invent words).
  fill -= fill % 2;
  if (fill >= BYTES_PER_SECOND) await transcribe(fill);
  await context.release();
  await send({ done: true });
}
