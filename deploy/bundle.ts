/**
 * The auth server's Lambda bundle: `server/lambda.ts` through esbuild's API (no Docker, no
 * NodejsFunction), one minified ESM file. The Secrets Manager client stays out: the Node 22+
 * Lambda runtimes ship AWS SDK v3, so the bundle is smaller and loads faster; GetSecretValue is the
 * only call and has not changed in years. Everything else (hono, zod, the CloudFront signer) is in.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LAMBDA_ENTRY = join(ROOT, 'server', 'lambda.ts');
/** Resolved by the runtime, not bundled. */
export const LAMBDA_EXTERNAL = ['@aws-sdk/client-secrets-manager'];
/** The runtime the bundle targets; the stack deploys NODEJS_24_X (≥ this). */
export const LAMBDA_NODE_TARGET = 'node22';
export const LAMBDA_FILE = 'index.mjs';

export interface LambdaBundle {
  /** The folder to hand to `Code.fromAsset`. */
  dir: string;
  file: string;
  bytes: number;
}

export function bundleLambda(outDir: string): LambdaBundle {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, LAMBDA_FILE);
  buildSync({
    entryPoints: [LAMBDA_ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_NODE_TARGET,
    // The ESM builds tree-shake: the CloudFront signer's CommonJS build drags in all of @smithy/core.
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    external: LAMBDA_EXTERNAL,
    // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
    banner: { js: "import{createRequire as __hlsgateRequire}from'node:module';const require=__hlsgateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return { dir: outDir, file, bytes: statSync(file).size };
}
