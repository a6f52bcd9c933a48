/**
 * The synthesized template, property by property (aws-cdk-lib/assertions). One synth for the file:
 * a rotation-time configuration (two keys, the second active), no hosted zone, access logs on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ROUTE, CACHE, MEDIA_CORS, PLAYLIST_MODE_BODY_SHA256, QUERY_MODE_BODY_SHA256, authViewerRequestSource } from '../common/delivery.ts';
import { IMMUTABLE, PLAYLIST_CACHE } from '../ingest/upload.ts';
import { SECRET_ARN_SETTINGS } from '../server/secrets.ts';
import { addStack } from './app.ts';
import { ROOT } from './bundle.ts';
import { parseDeployConfig } from './config.ts';
import { INGEST_BUCKET_ACTIONS, INGEST_OBJECT_ACTIONS, INGEST_TRANSCRIBE_ACTIONS } from './stack.ts';

const MOODLE = ['https://moodle.example.edu', 'https://moodle2.example.edu'];
/** The Moodle App's web views (Android, iOS): CORS only, never issuers. */
const APP = ['http://localhost', 'moodleappfs://localhost'];
const pem = (name: string) => readFileSync(join(ROOT, 'deploy', 'example-keys', `${name}.pub.pem`), 'utf8');
/** CloudFront's managed CachingDisabled policy. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

type Resource = { Type: string; Properties: Record<string, any> };

describe('the CDK stack', () => {
  let dir: string;
  let template: Template;
  let json: { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };
  let templateFile: string;

  const only = (type: string): [string, Resource] => {
    const found = Object.entries(json.Resources).filter(([, r]) => r.Type === type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  const distribution = () => only('AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
  const behavior = (pattern: string) => distribution().CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === pattern);
  const idOf = (type: string, predicate: (r: Resource) => boolean = () => true) => {
    const ids = Object.entries(json.Resources).filter(([, r]) => r.Type === type && predicate(r)).map(([id]) => id);
    expect(ids, type).toHaveLength(1);
    return ids[0]!;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hlsgate-stack-'));
    const config = parseDeployConfig(
      {
        stackName: 'HlsgateTest',
        mediaDomain: 'media.example.edu',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
        moodleOrigins: MOODLE,
        appOrigins: APP,
        cloudfrontPublicKeys: [
          { name: 'old', pem: pem('example-a') },
          { name: 'new', pem: pem('example-b'), privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hlsgate-new-AbCdEf' },
        ],
        activeKey: 'new',
        s3Prefix: 'lectures/2026',
        cookieTtl: 900,
        accessLogs: true,
        signedPlaylists: true,
      },
      'test',
    );
    const app = new App({ outdir: join(dir, 'out') });
    const stack = addStack(app, config, join(dir, 'bundle'));
    template = Template.fromStack(stack);
    json = template.toJSON() as typeof json;
    templateFile = join(dir, 'template.json');
    writeFileSync(templateFile, JSON.stringify(json));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the bucket private: public access blocked, SSE, TLS only, acceleration, multipart clean-up', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      AccelerateConfiguration: { AccelerationStatus: 'Enabled' },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 }, Status: 'Enabled' })]) },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const mediaId = Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties.AccelerateConfiguration)![0];
    const policy = Object.values(json.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === mediaId)!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
    // enforceSSL: deny anything over plain HTTP.
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // The only Allow: CloudFront of this distribution reads objects under the prefix; never a public principal.
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(allows[0]!.Resource)).toContain('"/lectures/2026/*"');
    expect(JSON.stringify(allows[0]!.Condition)).toContain(idOf('AWS::CloudFront::Distribution'));
  });

  it("serves on the school's own name with TLS 1.2+, HTTP/2 and HTTP/3, logging when asked", () => {
    const d = distribution();
    expect(d.Aliases).toEqual(['media.example.edu']);
    expect(d.ViewerCertificate).toEqual({
      AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(d.HttpVersion).toBe('http2and3');
    expect(d.PriceClass).toBe('PriceClass_100');
    expect(d.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('reaches the bucket and the function only through origin access control', () => {
    const oacs = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::CloudFront::OriginAccessControl');
    const typeOf = new Map(oacs.map(([id, r]) => [id, r.Properties.OriginAccessControlConfig]));
    const origins = distribution().Origins as Array<Record<string, any>>;
    expect(origins).toHaveLength(2);
    for (const origin of origins) {
      const oac = typeOf.get(origin.OriginAccessControlId['Fn::GetAtt'][0]);
      expect(oac, JSON.stringify(origin.DomainName)).toMatchObject({ SigningBehavior: 'always', SigningProtocol: 'sigv4' });
      expect(oac.OriginAccessControlOriginType).toBe(origin.S3OriginConfig ? 's3' : 'lambda');
      // No legacy origin access identity.
      if (origin.S3OriginConfig) expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    }
  });

  it('trusts the key group of both public keys on every media behaviour, HTTPS only', () => {
    const keyGroupId = idOf('AWS::CloudFront::KeyGroup');
    const keys = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::CloudFront::PublicKey');
    expect(keys.map(([, r]) => r.Properties.PublicKeyConfig.EncodedKey.trim())).toEqual([pem('example-a').trim(), pem('example-b').trim()]);
    expect(json.Resources[keyGroupId]!.Properties.KeyGroupConfig.Items).toEqual(keys.map(([id]) => ({ Ref: id })));
    for (const b of [distribution().DefaultCacheBehavior, behavior(CACHE.playlists.pathPattern)]) {
      expect(b.TrustedKeyGroups).toEqual([{ Ref: keyGroupId }]);
      expect(b.ViewerProtocolPolicy).toBe('https-only');
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    }
  });

  it('keeps cookies (and headers, query strings) out of the cache key; segments long, playlists short', () => {
    const policies = Object.fromEntries(
      Object.entries(json.Resources)
        .filter(([, r]) => r.Type === 'AWS::CloudFront::CachePolicy')
        .map(([id, r]) => [id, r.Properties.CachePolicyConfig]),
    );
    expect(Object.keys(policies)).toHaveLength(2);
    for (const p of Object.values(policies)) {
      expect(p.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        CookiesConfig: { CookieBehavior: 'none' },
        HeadersConfig: { HeaderBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      });
    }
    const segment = policies[distribution().DefaultCacheBehavior.CachePolicyId.Ref];
    const playlist = policies[behavior('*.m3u8').CachePolicyId.Ref];
    expect([segment.DefaultTTL, segment.MaxTTL, segment.MinTTL]).toEqual([CACHE.segments.seconds, CACHE.segments.seconds, 0]);
    expect([playlist.DefaultTTL, playlist.MaxTTL, playlist.MinTTL]).toEqual([CACHE.playlists.seconds, CACHE.playlists.seconds, 0]);
    // ingest writes the same lifetimes into each object's Cache-Control.
    expect([IMMUTABLE, PLAYLIST_CACHE]).toEqual([CACHE.segments.cacheControl, CACHE.playlists.cacheControl]);
  });

  it('query mode: the signature in the query is checked at the edge, never in the cache key, never sent to S3', () => {
    const keyGroupId = idOf('AWS::CloudFront::KeyGroup');
    for (const b of [distribution().DefaultCacheBehavior, behavior(CACHE.playlists.pathPattern)]) {
      // CloudFront verifies Policy/Signature/Key-Pair-Id on every behaviour that trusts the key group…
      expect(b.TrustedKeyGroups).toEqual([{ Ref: keyGroupId }]);
      // …then keys the cache without any query string, so viewers with different signatures share one copy…
      const cache = json.Resources[b.CachePolicyId.Ref]!.Properties.CachePolicyConfig;
      expect(cache.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig).toEqual({ QueryStringBehavior: 'none' });
      // …and forwards none to the bucket: no origin request policy, no legacy forwarded values.
      expect(b.OriginRequestPolicyId).toBeUndefined();
      expect(b.ForwardedValues).toBeUndefined();
    }
    // The query-mode POST /session carries a body: its hash passes the viewer-request function (common/delivery.test.ts).
    expect(authViewerRequestSource()).toContain(QUERY_MODE_BODY_SHA256);
  });

  it('allows exactly the Moodle and app origins with credentials, Range in, Content-Length/Content-Range out', () => {
    const [id, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const cors = policy.Properties.ResponseHeadersPolicyConfig.CorsConfig;
    expect(cors.AccessControlAllowOrigins.Items).toEqual([...MOODLE, ...APP]);
    expect(cors.AccessControlAllowCredentials).toBe(true);
    expect(cors.AccessControlAllowHeaders.Items).toContain('range');
    expect(cors.AccessControlAllowHeaders.Items).toEqual([...MEDIA_CORS.allowHeaders]);
    expect(cors.AccessControlExposeHeaders.Items).toEqual(expect.arrayContaining(['Content-Length', 'Content-Range']));
    expect(cors.AccessControlAllowMethods.Items).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(cors.OriginOverride).toBe(true);
    expect(distribution().DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: id });
    expect(behavior('*.m3u8').ResponseHeadersPolicyId).toEqual({ Ref: id });
  });

  it('routes /_auth/* uncached to the function with the token, Origin and viewer address, POST/DELETE/OPTIONS allowed', () => {
    const auth = behavior(AUTH_ROUTE.pathPattern);
    // First, so no media behaviour can shadow it.
    expect(distribution().CacheBehaviors[0].PathPattern).toBe('/_auth/*');
    expect(auth.CachePolicyId).toBe(CACHING_DISABLED);
    expect(auth.AllowedMethods).toEqual([...AUTH_ROUTE.methods]);
    expect(auth.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'DELETE', 'OPTIONS']));
    expect(auth.ViewerProtocolPolicy).toBe('https-only');
    expect(auth.TrustedKeyGroups).toBeUndefined();
    const request = json.Resources[auth.OriginRequestPolicyId.Ref]!.Properties.OriginRequestPolicyConfig;
    expect(request.HeadersConfig).toEqual({ HeaderBehavior: 'whitelist', Headers: [...AUTH_ROUTE.forwardedHeaders] });
    expect(request.HeadersConfig.Headers).toEqual(expect.arrayContaining(['origin', 'cloudfront-viewer-address', AUTH_ROUTE.tokenHeader]));
    expect(request.CookiesConfig).toEqual({ CookieBehavior: 'none' });
    // A signed playlist's capability (GET /_auth/playlist/…?cap=…) and no other query string.
    expect(request.QueryStringsConfig).toEqual({ QueryStringBehavior: 'whitelist', QueryStrings: ['cap'] });
    expect(authViewerRequestSource()).toContain(PLAYLIST_MODE_BODY_SHA256);
    // The viewer's Authorization travels in the token header: the function that moves it is attached.
    expect(auth.FunctionAssociations).toHaveLength(1);
    expect(auth.FunctionAssociations[0].EventType).toBe('viewer-request');
    const fn = json.Resources[auth.FunctionAssociations[0].FunctionARN['Fn::GetAtt'][0]]!;
    expect(fn.Properties.FunctionCode).toBe(authViewerRequestSource());
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
  });

  it('puts the function URL behind CloudFront: AWS_IAM auth, invocable only by this distribution', () => {
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    const distributionId = idOf('AWS::CloudFront::Distribution');
    const permissions = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    expect(permissions.map((p) => p.Properties.Action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
    for (const p of permissions) {
      expect(p.Properties.Principal).toBe('cloudfront.amazonaws.com');
      expect(JSON.stringify(p.Properties.SourceArn)).toContain(`{"Ref":"${distributionId}"}`);
    }
    const authOrigin = (distribution().Origins as Array<Record<string, any>>).find((o) => o.Id === behavior('/_auth/*').TargetOriginId)!;
    expect(JSON.stringify(authOrigin.DomainName)).toContain(idOf('AWS::Lambda::Url'));
    expect(authOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
  });

  it('runs server/lambda.ts bundled (ESM, no Docker) on Node 22+ arm64', () => {
    const fn = only('AWS::Lambda::Function')[1].Properties;
    expect(fn.Architectures).toEqual(['arm64']);
    expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Runtime)![1])).toBeGreaterThanOrEqual(22);
    expect(fn.Handler).toBe('index.handler');
    const asset = readdirSync(join(dir, 'out')).find((f) => f.startsWith('asset.'))!;
    const bundle = readFileSync(join(dir, 'out', asset, 'index.mjs'), 'utf8');
    expect(bundle).toMatch(/export\s*\{[^}]*as handler/);
    expect(bundle).toContain('@aws-sdk/client-secrets-manager');
  });

  it('keeps the secrets out of the environment: ARNs only, each readable by the function', () => {
    const [, fn] = only('AWS::Lambda::Function');
    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    for (const name of ['HLSGATE_TOKEN_SECRETS', 'HLSGATE_CLOUDFRONT_PRIVATE_KEY', 'HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY', 'HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE']) {
      expect(env).not.toHaveProperty(name);
    }
    expect(JSON.stringify(env)).not.toMatch(/PRIVATE KEY|BEGIN/);
    const tokenSecretId = idOf('AWS::SecretsManager::Secret', (r) => JSON.stringify(r.Properties).includes('moodle1'));
    const firstKeySecretId = idOf('AWS::SecretsManager::Secret', (r) => String(r.Properties.Description).includes('"old"'));
    expect(env[SECRET_ARN_SETTINGS.tokenSecrets]).toEqual({ Ref: tokenSecretId });
    expect(env[SECRET_ARN_SETTINGS.privateKey]).toEqual({ Ref: firstKeySecretId });
    expect(env[SECRET_ARN_SETTINGS.secondPrivateKey]).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:hlsgate-new-AbCdEf');
    // The generated token secret has the filter's kid; the private keys are never in the template.
    expect(json.Resources[tokenSecretId]!.Properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'moodle1', SecretStringTemplate: '{}' });
    expect(JSON.stringify(json)).not.toContain('PRIVATE KEY');
    const [, rolePolicy] = only('AWS::IAM::Policy');
    const reads = (rolePolicy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(reads.map((s) => s.Resource))).toContain(tokenSecretId);
    expect(JSON.stringify(reads.map((s) => s.Resource))).toContain(firstKeySecretId);
    expect(JSON.stringify(reads.map((s) => s.Resource))).toContain('hlsgate-new-AbCdEf');
  });

  it('configures the server for the stack: key pair ids by reference, the second active, the viewer address header', () => {
    const env = only('AWS::Lambda::Function')[1].Properties.Environment.Variables;
    const keys = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::CloudFront::PublicKey').map(([id]) => id);
    expect(env.HLSGATE_CLOUDFRONT_KEY_PAIR_ID).toEqual({ Ref: keys[0] });
    expect(env.HLSGATE_CLOUDFRONT_SECOND_KEY_PAIR_ID).toEqual({ Ref: keys[1] });
    expect(env.HLSGATE_CLOUDFRONT_ACTIVE_KEY_PAIR_ID).toEqual({ Ref: keys[1] });
    expect(env).toMatchObject({
      HLSGATE_MEDIA_BASE_URLS: 'https://media.example.edu/lectures/2026/',
      HLSGATE_TOKEN_ISSUERS: MOODLE.join(','),
      HLSGATE_ALLOWED_ORIGINS: [...MOODLE, ...APP].join(','),
      HLSGATE_COOKIE_TTL: '900',
      HLSGATE_CLIENT_ADDRESS_HEADER: 'cloudfront-viewer-address',
      HLSGATE_SIGNED_PLAYLISTS: 'true',
    });
    expect(env.HLSGATE_COOKIE_DOMAIN).toBeUndefined();
  });

  it('gives ingest workers exactly what ingest/ calls, on the prefix only', () => {
    // What ingest/ sends to S3, read from its source: a new call there must come with its action here.
    const ACTIONS: Record<string, string[]> = {
      HeadObjectCommand: ['s3:GetObject'],
      GetObjectCommand: ['s3:GetObject'],
      PutObjectCommand: ['s3:PutObject'],
      ListObjectsV2Command: ['s3:ListBucket'],
      Upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
      // Staging's own multipart upload (resumable from a state file) and the clean-ups.
      CreateMultipartUploadCommand: ['s3:PutObject'],
      UploadPartCommand: ['s3:PutObject'],
      CompleteMultipartUploadCommand: ['s3:PutObject'],
      AbortMultipartUploadCommand: ['s3:AbortMultipartUpload'],
      DeleteObjectCommand: ['s3:DeleteObject'],
      // HLSGATE_ASR=transcribe (ingest/asr-transcribe.ts).
      StartTranscriptionJobCommand: ['transcribe:StartTranscriptionJob'],
      GetTranscriptionJobCommand: ['transcribe:GetTranscriptionJob'],
      DeleteTranscriptionJobCommand: ['transcribe:DeleteTranscriptionJob'],
    };
    const calls = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'ingest'))) {
      if (!file.endsWith('.ts') || /\.(test|bench)\.ts$/.test(file)) continue;
      const source = readFileSync(join(ROOT, 'ingest', file), 'utf8');
      for (const match of source.matchAll(/new (\w+Command|Upload)\(/g)) calls.add(match[1]!);
    }
    const unknown = [...calls].filter((c) => !ACTIONS[c]);
    expect(unknown, 'ingest calls these: give them an action here').toEqual([]);
    const needed = new Set([...calls].flatMap((c) => ACTIONS[c]!));
    expect(new Set([...INGEST_OBJECT_ACTIONS, ...INGEST_BUCKET_ACTIONS, ...INGEST_TRANSCRIBE_ACTIONS])).toEqual(needed);

    const [, policy] = only('AWS::IAM::ManagedPolicy');
    const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
    expect(statements).toHaveLength(3);
    // Transcribe: the three calls, on ingest's own jobs in this stack's region and account only.
    const transcribe = statements.find((s) => s.Sid === 'TranscribeJobs')!;
    expect([transcribe.Action].flat().sort()).toEqual([...INGEST_TRANSCRIBE_ACTIONS].sort());
    expect(JSON.stringify(transcribe.Resource)).toMatch(/":transcribe:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":transcription-job\/hlsgate-\*"/);
    expect(transcribe.Condition).toBeUndefined();
    const objects = statements.find((s) => s.Sid === 'ObjectsUnderPrefix')!;
    expect([objects.Action].flat().sort()).toEqual([...INGEST_OBJECT_ACTIONS].sort());
    expect(objects.Resource).toHaveLength(2);
    expect(JSON.stringify(objects.Resource[0])).toMatch(/"\/lectures\/2026\/\*"\]\]\}$/);
    expect(JSON.stringify(objects.Resource[1])).toMatch(/"\/incoming\/\*"\]\]\}$/);
    const list = statements.find((s) => s.Sid === 'ListPrefix')!;
    expect(list.Action).toBe('s3:ListBucket');
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['lectures/2026/*', 'incoming/*'] } });
    for (const s of statements) expect(s.Effect).toBe('Allow');
    expect(JSON.stringify(statements)).not.toMatch(/"\*"|s3:\*|transcribe:\*|DeleteBucket|PutBucket|PutObjectAcl|transcribe:(List|Create|Update|Tag)/);
  });

  it("outputs the media URL, the distribution id and the filter's and ingest's settings, never a *.cloudfront.net URL for players", () => {
    const outputs = json.Outputs;
    expect(outputs.MediaUrl!.Value).toBe('https://media.example.edu/lectures/2026/');
    expect(outputs.DistributionId!.Value).toEqual({ Ref: idOf('AWS::CloudFront::Distribution') });
    expect(outputs.FilterAuthUrl!.Value).toBe('https://media.example.edu/_auth');
    expect(outputs.FilterIssuer!.Value).toBe(MOODLE[0]);
    expect(outputs.FilterMediaBaseUrls!.Value).toBe('https://media.example.edu/lectures/2026/');
    expect(outputs.FilterTokenKid!.Value).toBe('moodle1');
    expect(JSON.stringify(outputs.IngestSettings!.Value)).toContain('HLSGATE_S3_ACCELERATE=true HLSGATE_MEDIA_BASE_URL=https://media.example.edu/lectures/2026/');
    expect(outputs.IngestPolicyArn!.Value).toEqual({ Ref: idOf('AWS::IAM::ManagedPolicy') });
    expect(outputs.ActiveKeyPairId!.Value).toEqual({ Ref: Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::CloudFront::PublicKey')[1]![0] });
    // Without a hosted zone, the CloudFront name is given for DNS only.
    expect(JSON.stringify(outputs.DnsTarget!.Value)).toContain('DomainName');
    const forPlayers = Object.entries(outputs).filter(([name]) => name !== 'DnsTarget');
    expect(JSON.stringify(forPlayers)).not.toMatch(/cloudfront\.net|DomainName/);
  });

  // Debian ships no cfn-lint; where it is installed (pip), the template must lint clean of errors.
  const cfnLint = (() => {
    try {
      execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!cfnLint)('passes cfn-lint (errors; CDK’s own redundant DependsOn warning ignored)', () => {
    expect(existsSync(templateFile)).toBe(true);
    try {
      execFileSync('cfn-lint', ['--ignore-checks', 'W3005', '--', templateFile], { encoding: 'utf8', timeout: 120_000 });
    } catch (error) {
      throw new Error(`cfn-lint: ${(error as { stdout?: string }).stdout ?? (error as Error).message}`);
    }
  });
});
