import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.ts';
import { ROOT } from './bundle.ts';
import { loadDeployConfig, parseDeployConfig, siteOf } from './config.ts';

const run = promisify(execFile);
const KEY_A = readFileSync(join(ROOT, 'deploy', 'example-keys', 'example-a.pub.pem'), 'utf8');
const KEY_B = readFileSync(join(ROOT, 'deploy', 'example-keys', 'example-b.pub.pem'), 'utf8');
const good = {
  mediaDomain: 'media.example.edu',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  moodleOrigins: ['https://moodle.example.edu'],
  cloudfrontPublicKeys: [{ name: 'a', pem: KEY_A }],
};
const problems = (input: unknown): string[] => {
  try {
    parseDeployConfig(input, 'school.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};
const tmp = mkdtempSync(join(tmpdir(), 'hlsgate-deploy-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('deploy configuration', () => {
  it('accepts the minimum and fills the defaults', () => {
    const config = parseDeployConfig(good, 'school.json');
    expect(config).toMatchObject({
      stackName: 'Hlsgate',
      tokenIssuers: ['https://moodle.example.edu'],
      tokenKeyId: 'moodle1',
      activeKey: 'a',
      s3Prefix: 'lectures',
      cookieTtl: 600,
      priceClass: 'PriceClass_100',
      accessLogs: false,
      signedPlaylists: false,
    });
    expect(config.keys).toEqual([{ name: 'a', publicKeyPem: `${KEY_A.trim()}\n`, privateKeySecretArn: undefined }]);
  });

  it('refuses an s3Prefix in incoming/, where ingest stages sources', () => {
    for (const s3Prefix of ['incoming', 'incoming/lectures']) {
      expect(problems({ ...good, s3Prefix })).toEqual([
        `school.json: "s3Prefix" = "${s3Prefix}" overlaps "incoming/", where ingest stages source recordings`,
      ]);
    }
    for (const s3Prefix of ['incomings', 'lectures/incoming', 'Incoming']) {
      expect(problems({ ...good, s3Prefix })).toEqual([]);
    }
  });

  it('names each bad value, all in one error', () => {
    const found = problems({
      mediaDomain: 'd111111abcdef8.cloudfront.net',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      moodleOrigins: ['https://moodle.example.edu'],
      cloudfrontPublicKeys: [{ name: 'a', pem: KEY_A }],
      s3Prefix: '/lectures/',
      bucketName: 'media.example.edu',
      cookieTtl: 5,
      priceClass: 'PriceClass_Cheap',
      colour: 'blue',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'school.json: "colour" is not a setting (misspelt?)',
        expect.stringMatching(/^school\.json: "mediaDomain" = "d111111abcdef8\.cloudfront\.net": must be the school's own name/),
        expect.stringMatching(/^school\.json: "certificateArn" = "arn:aws:acm:eu-west-1:.*us-east-1/),
        expect.stringMatching(/^school\.json: "s3Prefix" = "\/lectures\/": must be path segments/),
        expect.stringMatching(/^school\.json: "bucketName" = "media\.example\.edu": .*no dots/),
        expect.stringMatching(/^school\.json: "cookieTtl" = 5: /),
        expect.stringMatching(/^school\.json: "priceClass" = "PriceClass_Cheap": /),
      ]),
    );
    expect(found).toHaveLength(7);
    expect(problems({})).toEqual(
      expect.arrayContaining(['mediaDomain', 'certificateArn', 'moodleOrigins', 'cloudfrontPublicKeys'].map((k) => `school.json: "${k}" is required`)),
    );
  });

  it('wants https Moodle origins on the same site as the media domain', () => {
    expect(problems({ ...good, moodleOrigins: ['http://moodle.example.edu', 'https://moodle.example.edu/', 'https://lms.other.org'] })).toEqual([
      'school.json: "moodleOrigins[0]" = "http://moodle.example.edu" must use https',
      'school.json: "moodleOrigins[1]" = "https://moodle.example.edu/" must be an origin like "https://moodle.example.edu" (no path or trailing /)',
      'school.json: "moodleOrigins[2]" = "https://lms.other.org" is not on the same site as media.example.edu (example.edu): the SameSite=Lax cookies would not flow from Moodle pages',
    ]);
    expect(siteOf('media.video.school.ac.uk')).toBe('school.ac.uk');
    expect(siteOf('moodle.example.edu')).toBe('example.edu');
    expect(problems({ ...good, mediaDomain: 'media.school.ac.uk', moodleOrigins: ['https://vle.school.ac.uk'] })).toEqual([]);
    expect(problems({ ...good, mediaDomain: 'media.school.ac.uk', moodleOrigins: ['https://vle.other.ac.uk'] })).toHaveLength(1);
  });

  it("takes the Moodle App's web-view origins (CORS only) and refuses what is no origin", () => {
    expect(problems({ ...good, appOrigins: ['http://localhost', 'moodleappfs://localhost'] })).toEqual([]);
    expect(problems({ ...good, appOrigins: ['moodleappfs://localhost/', '*'] })).toHaveLength(2);
  });

  it('checks the keys: RSA 2048 PEMs, distinct, two only with an active one named', () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(problems({ ...good, cloudfrontPublicKeys: [{ name: 'a', pem: 'nonsense' }] })).toEqual([
      expect.stringMatching(/^school\.json: "cloudfrontPublicKeys\[0\]\.pem" is not a public key PEM/),
    ]);
    expect(problems({ ...good, cloudfrontPublicKeys: [{ name: 'a', pem: rsa1024 }] })).toEqual([
      'school.json: "cloudfrontPublicKeys[0].pem" is RSA 1024: CloudFront takes RSA 2048',
    ]);
    expect(problems({ ...good, cloudfrontPublicKeys: [{ name: 'a', pem: ec }] })).toEqual([
      'school.json: "cloudfrontPublicKeys[0].pem" is a ec key: the auth server signs with RSA',
    ]);
    const two = [
      { name: 'a', pem: KEY_A },
      { name: 'b', pem: KEY_B },
    ];
    expect(problems({ ...good, cloudfrontPublicKeys: two })).toEqual(['school.json: "activeKey" is required with two keys: name the one that signs']);
    expect(problems({ ...good, cloudfrontPublicKeys: two, activeKey: 'c' })).toEqual([
      'school.json: "activeKey" = "c" is not the name of a key in "cloudfrontPublicKeys"',
    ]);
    expect(parseDeployConfig({ ...good, cloudfrontPublicKeys: two, activeKey: 'b' }, 'x').activeKey).toBe('b');
    expect(problems({ ...good, cloudfrontPublicKeys: [two[0], { name: 'a', pem: KEY_B }], activeKey: 'a' })).toEqual([
      'school.json: "cloudfrontPublicKeys[1].name" = "a" is used twice',
    ]);
    expect(problems({ ...good, cloudfrontPublicKeys: [two[0], { name: 'c', pem: KEY_A }], activeKey: 'a' })).toEqual([
      'school.json: "cloudfrontPublicKeys[1]" is the same key as another entry',
    ]);
    expect(problems({ ...good, cloudfrontPublicKeys: [...two, { name: 'c', pem: KEY_A }], activeKey: 'a' })).toEqual([
      expect.stringMatching(/^school\.json: "cloudfrontPublicKeys" = .*: at most two keys/),
    ]);
    expect(problems({ ...good, cloudfrontPublicKeys: [{ name: 'a' }] })).toEqual(['school.json: "cloudfrontPublicKeys[0]" needs exactly one of "pem" or "file"']);
    expect(problems({ ...good, cloudfrontPublicKeys: [{ name: 'a', pem: KEY_A, privateKeySecretArn: 'my-secret' }] })).toEqual([
      'school.json: "cloudfrontPublicKeys[0].privateKeySecretArn" = "my-secret": must be a Secrets Manager secret ARN',
    ]);
  });

  it('reads key files relative to the configuration file, and names a file it cannot read', () => {
    writeFileSync(join(tmp, 'k.pem'), KEY_A);
    writeFileSync(join(tmp, 'ok.json'), JSON.stringify({ ...good, cloudfrontPublicKeys: [{ name: 'a', file: 'k.pem' }] }));
    expect(loadDeployConfig(join(tmp, 'ok.json')).keys[0]!.publicKeyPem).toBe(`${KEY_A.trim()}\n`);
    writeFileSync(join(tmp, 'missing.json'), JSON.stringify({ ...good, cloudfrontPublicKeys: [{ name: 'a', file: 'nope.pem' }] }));
    expect(() => loadDeployConfig(join(tmp, 'missing.json'))).toThrow(/"cloudfrontPublicKeys\[0\]\.file" = "nope\.pem": cannot read .*nope\.pem \(ENOENT\)/);
    writeFileSync(join(tmp, 'broken.json'), '{"mediaDomain": ');
    expect(() => loadDeployConfig(join(tmp, 'broken.json'))).toThrow(/broken\.json: not JSON/);
    expect(() => loadDeployConfig(join(tmp, 'absent.json'))).toThrow(/absent\.json: cannot read it \(ENOENT\)/);
  });

  it('checks that the hosted zone holds the media domain', () => {
    expect(problems({ ...good, hostedZone: { id: 'Z123', name: 'example.edu' } })).toEqual([]);
    expect(problems({ ...good, hostedZone: { id: 'Z123', name: 'other.edu' } })).toEqual(['school.json: "hostedZone.name" = "other.edu" does not hold media.example.edu']);
    expect(problems({ ...good, hostedZone: { id: 'nope', name: 'example.edu' } })).toEqual([
      'school.json: "hostedZone.id" = "nope": must be a Route 53 hosted zone id (Z…)',
    ]);
  });
});

describe('npm run synth', () => {
  it('synthesizes deploy/example.json offline into the given folder, Route 53 records included', async () => {
    const out = join(tmp, 'synth');
    // No credentials, no region: nothing may reach AWS.
    const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_EC2_METADATA_DISABLED: 'true' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'deploy/synth.ts', '--out', out], { cwd: ROOT, env, timeout: 90_000 });
    expect(stdout).toContain('stack Hlsgate from deploy/example.json');
    const template = JSON.parse(readFileSync(join(out, 'Hlsgate.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const records = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Route53::RecordSet');
    expect(records.map((r) => [r.Properties.Name, r.Properties.Type, r.Properties.HostedZoneId])).toEqual([
      ['media.example.edu.', 'A', 'Z0123456789ABCDEFGHIJ'],
      ['media.example.edu.', 'AAAA', 'Z0123456789ABCDEFGHIJ'],
    ]);
  });

  it('exits 1 naming every problem of a bad configuration', async () => {
    writeFileSync(join(tmp, 'bad.json'), JSON.stringify({ ...good, mediaDomain: 'Media.Example.edu', cookieTtl: 'soon' }));
    const failure = await run(process.execPath, ['--import', 'tsx', 'deploy/synth.ts', '--config', join(tmp, 'bad.json'), '--out', join(tmp, 'bad-out')], { cwd: ROOT, timeout: 90_000 }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('"mediaDomain" = "Media.Example.edu": must be lower case');
    expect(failure?.stderr).toContain('"cookieTtl" = "soon"');
  });
});
