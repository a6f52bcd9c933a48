import { generateKeyPairSync } from 'node:crypto';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.ts';
import { createLogger } from '../common/log.ts';
import { lambdaHandlerFromEnv } from './lambda.ts';
import { SECRET_ARN_SETTINGS, resolveSecretSettings, secretsManagerReader } from './secrets.ts';
import { makeTestServer } from './test-config.ts';

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const test = makeTestServer();
const DIR = 'AbCdEfGhIjKlMnOpQrStUv';

/** The stack's environment: everything but the secrets, which are named by ARN. */
const lambdaEnv = {
  HLSGATE_TOKEN_ISSUERS: 'https://moodle.example.edu',
  HLSGATE_MEDIA_BASE_URLS: 'https://media.example.edu/lectures/',
  HLSGATE_ALLOWED_ORIGINS: 'https://moodle.example.edu',
  HLSGATE_CLIENT_ADDRESS_HEADER: 'cloudfront-viewer-address',
  HLSGATE_CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
  [SECRET_ARN_SETTINGS.tokenSecrets]: ARN('tokens'),
  [SECRET_ARN_SETTINGS.privateKey]: ARN('key1'),
};

describe('secrets by reference', () => {
  it('turns each *_SECRET_ARN into its setting, the stack’s {"kid":"secret"} into kid:secret', async () => {
    const asked: string[] = [];
    const secrets: Record<string, string> = { [ARN('tokens')]: JSON.stringify({ [test.kid]: test.secret }), [ARN('key1')]: PEM };
    const env = await resolveSecretSettings(lambdaEnv, async (arn) => {
      asked.push(arn);
      return secrets[arn]!;
    });
    expect(asked.sort()).toEqual([ARN('key1'), ARN('tokens')]);
    expect(env.HLSGATE_TOKEN_SECRETS).toBe(`${test.kid}:${test.secret}`);
    expect(env.HLSGATE_CLOUDFRONT_PRIVATE_KEY).toBe(PEM);
    expect(env[SECRET_ARN_SETTINGS.tokenSecrets]).toBeUndefined();
    expect(env.HLSGATE_TOKEN_ISSUERS).toBe('https://moodle.example.edu');
  });

  it('names the ARN setting when a secret cannot be read, and refuses a value given twice', async () => {
    const failing = resolveSecretSettings({ ...lambdaEnv, HLSGATE_CLOUDFRONT_PRIVATE_KEY: PEM }, async (arn) => {
      if (arn === ARN('tokens')) throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
      return PEM;
    });
    await expect(failing).rejects.toThrow(ConfigError);
    const problems = await failing.catch((e: ConfigError) => e.problems);
    expect(problems).toEqual([
      'HLSGATE_CLOUDFRONT_PRIVATE_KEY_SECRET_ARN and HLSGATE_CLOUDFRONT_PRIVATE_KEY: set only one',
      `HLSGATE_TOKEN_SECRETS_SECRET_ARN: cannot read ${ARN('tokens')} (AccessDeniedException: User is not authorized)`,
    ]);
  });

  it('says which secret holds a refused value (the placeholder before the PEM is put in)', async () => {
    const error = await lambdaHandlerFromEnv(lambdaEnv, async (arn) => (arn === ARN('key1') ? 'Xq3placeholder0123456789abcdef' : JSON.stringify({ k: test.secret }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^HLSGATE_CLOUDFRONT_PRIVATE_KEY: not a usable RSA private key PEM .*\(its value is the secret named by HLSGATE_CLOUDFRONT_PRIVATE_KEY_SECRET_ARN\)$/),
    ]);
  });

  it('builds a working handler from the stack’s environment', async () => {
    const secrets: Record<string, string> = { [ARN('tokens')]: JSON.stringify({ [test.kid]: test.secret }), [ARN('key1')]: PEM };
    const handler = await lambdaHandlerFromEnv(lambdaEnv, async (arn) => secrets[arn]!, { logger: createLogger({ name: 't', level: 'silent' }) });
    const event = JSON.parse(readFileSync(new URL('./fixtures/function-url-oac-event.json', import.meta.url), 'utf8').replaceAll('{{TOKEN}}', test.mint(test.res(DIR))));
    const result = (await handler(event)) as { statusCode: number; cookies?: string[] };
    expect(result.statusCode).toBe(200);
    expect(result.cookies).toHaveLength(3);
    expect(result.cookies![2]).toMatch(/^CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=\/lectures\/AbCdEfGhIjKlMnOpQrStUv\//);
  });
});

describe('secretsManagerReader (the AWS SDK over HTTP)', () => {
  // Secrets Manager does not run here: a local endpoint answers its JSON protocol, so the SDK's
  // request (target, body, signature) and its answer parsing are the real ones.
  const requests: Array<{ target: string; body: Record<string, unknown>; authorization: string }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { SecretId: string };
      requests.push({ target: String(req.headers['x-amz-target']), body, authorization: String(req.headers.authorization) });
      if (body.SecretId === ARN('missing')) {
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' });
        return res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
      }
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: body.SecretId, Name: 'x', SecretString: `value of ${body.SecretId}`, VersionId: 'v1' }));
    });
  });
  let endpoint: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads SecretString with one signed GetSecretValue per secret, and names the failure', async () => {
    const read = secretsManagerReader({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
    expect(await read(ARN('a'))).toBe(`value of ${ARN('a')}`);
    expect(await read(ARN('b'))).toBe(`value of ${ARN('b')}`);
    expect(requests.map((r) => [r.target, r.body.SecretId])).toEqual([
      ['secretsmanager.GetSecretValue', ARN('a')],
      ['secretsmanager.GetSecretValue', ARN('b')],
    ]);
    expect(requests[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request/);
    await expect(read(ARN('missing'))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
