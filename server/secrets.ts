/**
 * Secrets by reference: on Lambda the token secrets and the CloudFront private key(s) stay in
 * Secrets Manager, and the function's environment holds only their ARNs. `resolveSecretSettings`
 * reads each named secret once and returns the `HLSGATE_*` settings they stand for, so the rest of
 * the configuration (and its messages) stays what `loadServerConfig` already does.
 */
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../common/config.ts';

/** The ARN setting → the setting its secret's value becomes. */
export const SECRET_ARN_SETTINGS = {
  tokenSecrets: 'HLSGATE_TOKEN_SECRETS_SECRET_ARN',
  privateKey: 'HLSGATE_CLOUDFRONT_PRIVATE_KEY_SECRET_ARN',
  secondPrivateKey: 'HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY_SECRET_ARN',
} as const;

const TARGET_OF: Record<keyof typeof SECRET_ARN_SETTINGS, string> = {
  tokenSecrets: 'HLSGATE_TOKEN_SECRETS',
  privateKey: 'HLSGATE_CLOUDFRONT_PRIVATE_KEY',
  secondPrivateKey: 'HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY',
};

/** Reads a secret's string value by ARN. */
export type SecretReader = (arn: string) => Promise<string>;

type Env = Record<string, string | undefined>;

/** `{"kid":"secret",…}` (what the stack generates) → `kid:secret,…`; any other text is kept. */
function tokenSecretsValue(text: string): string {
  if (!text.trimStart().startsWith('{')) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return text;
  return Object.entries(value as Record<string, unknown>)
    .map(([kid, secret]) => `${kid}:${String(secret)}`)
    .join(',');
}

/**
 * The environment with every `*_SECRET_ARN` replaced by the secret's value under its setting.
 * Throws ConfigError naming the ARN setting when a secret cannot be read (never its value).
 */
export async function resolveSecretSettings(env: Env, read: SecretReader): Promise<Env> {
  const out: Env = { ...env };
  const problems: string[] = [];
  const pending = (Object.keys(SECRET_ARN_SETTINGS) as Array<keyof typeof SECRET_ARN_SETTINGS>)
    .filter((key) => env[SECRET_ARN_SETTINGS[key]])
    .map(async (key) => {
      const arnSetting = SECRET_ARN_SETTINGS[key];
      const target = TARGET_OF[key];
      delete out[arnSetting];
      if (env[target]) return void problems.push(`${arnSetting} and ${target}: set only one`);
      try {
        const text = await read(env[arnSetting]!);
        out[target] = key === 'tokenSecrets' ? tokenSecretsValue(text) : text;
      } catch (error) {
        problems.push(`${arnSetting}: cannot read ${env[arnSetting]} (${(error as Error).name}: ${(error as Error).message})`);
      }
    });
  await Promise.all(pending);
  if (problems.length > 0) throw new ConfigError(problems.sort());
  return out;
}

/** Says which secret a refused setting came from, so the message leads to the right secret. */
export function nameSecretSources(error: ConfigError, env: Env): ConfigError {
  const sources = (Object.keys(SECRET_ARN_SETTINGS) as Array<keyof typeof SECRET_ARN_SETTINGS>).filter((key) => env[SECRET_ARN_SETTINGS[key]]);
  if (sources.length === 0) return error;
  return new ConfigError(
    error.problems.map((problem) => {
      const key = sources.find((k) => problem.startsWith(`${TARGET_OF[k]}:`) || problem.startsWith(`${TARGET_OF[k]} `));
      return key ? `${problem} (its value is the secret named by ${SECRET_ARN_SETTINGS[key]})` : problem;
    }),
  );
}

/** Secrets Manager through the AWS SDK, loaded only when a secret is named (the Lambda runtime ships it). */
export function secretsManagerReader(clientConfig: SecretsManagerClientConfig = {}): SecretReader {
  let client: Promise<{ read: SecretReader }> | undefined;
  return async (arn) => {
    client ??= import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient, GetSecretValueCommand }) => {
      const sdk = new SecretsManagerClient(clientConfig);
      return {
        read: async (secretId: string) => {
          const answer = await sdk.send(new GetSecretValueCommand({ SecretId: secretId }));
          if (answer.SecretString === undefined) throw new Error('the secret holds no string (SecretBinary is not read)');
          return answer.SecretString;
        },
      };
    });
    return (await client).read(arn);
  };
}
