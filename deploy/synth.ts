/**
 * `npm run synth [-- --config FILE] [--out DIR]`: the CloudFormation template into dist/deploy/,
 * with no AWS account, no network and no context lookups. A bad configuration prints every
 * problem and exits 1.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../common/config.ts';
import { DEFAULT_CONFIG, DEFAULT_OUT, synthesize } from './app.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } }, strict: true });
const configFile = values.config ?? DEFAULT_CONFIG;
try {
  const { templateFile, stack } = synthesize(configFile, values.out ?? DEFAULT_OUT);
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, { Type: string }>; Outputs?: object };
  const types = new Map<string, number>();
  for (const { Type } of Object.values(template.Resources)) types.set(Type, (types.get(Type) ?? 0) + 1);
  process.stdout.write(
    `hlsgate: stack ${stack.stackName} from ${relative(process.cwd(), configFile) || configFile}\n` +
      `  template: ${relative(process.cwd(), templateFile)}\n` +
      `  ${Object.keys(template.Resources).length} resources, ${Object.keys(template.Outputs ?? {}).length} outputs:\n` +
      [...types].sort().map(([type, n]) => `    ${n} × ${type}\n`).join(''),
  );
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`hlsgate synth: ${error.message}\nSee deploy/README.md for every setting.\n`);
    process.exit(1);
  }
  throw error;
}
