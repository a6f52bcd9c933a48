/**
 * The CDK app: one stack from one configuration file. `cdk deploy --app 'tsx deploy/app.ts'` runs
 * this (the file named by the context value `config`, default deploy/example.json);
 * `npm run synth` calls `synthesize` directly, with no AWS account, network or context lookups.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../common/config.ts';
import { ROOT, bundleLambda } from './bundle.ts';
import { loadDeployConfig, type DeployConfig } from './config.ts';
import { HlsgateStack } from './stack.ts';

export const DEFAULT_CONFIG = join(ROOT, 'deploy', 'example.json');
export const DEFAULT_OUT = join(ROOT, 'dist', 'deploy');

/** Adds the stack to `app`; the Lambda bundle goes to `bundleDir` (fresh, beside the assembly). */
export function addStack(app: App, config: DeployConfig, bundleDir: string): HlsgateStack {
  const bundle = bundleLambda(bundleDir);
  return new HlsgateStack(app, config.stackName, {
    config,
    lambdaBundleDir: bundle.dir,
    description: `hlsgate: ${config.mediaDomain} (CloudFront, S3, auth server on Lambda)`,
  });
}

export interface Synthesized {
  stack: HlsgateStack;
  /** The CloudFormation template (JSON). */
  templateFile: string;
  outdir: string;
}

/** Synthesizes the stack of `configFile` into `outdir` (asset included), offline. */
export function synthesize(configFile: string, outdir: string = DEFAULT_OUT): Synthesized {
  const config = loadDeployConfig(configFile);
  // A previous assembly there would keep its stale assets beside the new ones.
  if (existsSync(join(outdir, 'manifest.json'))) rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir: resolve(outdir), analyticsReporting: false });
  const bundleDir = mkdtempSync(join(tmpdir(), 'hlsgate-lambda-'));
  try {
    const stack = addStack(app, config, bundleDir);
    const assembly = app.synth();
    return { stack, templateFile: join(assembly.directory, stack.templateFile), outdir: assembly.directory };
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

// `cdk deploy` / `cdk synth` run this file: the CLI hands its outdir and context over the environment.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const app = new App();
  const file = resolve(String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG));
  const bundleDir = mkdtempSync(join(tmpdir(), 'hlsgate-lambda-'));
  try {
    addStack(app, loadDeployConfig(file), bundleDir);
    app.synth();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hlsgate deploy: ${error.message}\nSee deploy/README.md for every setting.\n`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
}
