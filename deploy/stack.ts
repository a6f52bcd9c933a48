/**
 * hlsgate's production shape (../shared/DESIGN.md, "Deployment shape") as one CDK stack:
 *
 *   viewer ─► CloudFront on media.example.edu (TLS 1.2+, HTTP/2 and HTTP/3)
 *               ├─ /_auth/*  ─► Lambda function URL (AWS_IAM, origin access control) = server/lambda.ts
 *               ├─ *.m3u8    ─► S3 (origin access control), trusted key group, short cache
 *               └─ default   ─► S3 (origin access control), trusted key group, immutable cache
 *
 * The shape's numbers and names (cache lifetimes, CORS, the auth route, its headers) come from
 * common/delivery.ts, which the local CloudFront stand-in reads too.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { INCOMING_PREFIX } from '../common/contracts.ts';
import { AUTH_ROUTE, CACHE, MEDIA_CORS, authViewerRequestSource } from '../common/delivery.ts';
import type { DeployConfig } from './config.ts';
import { SECRET_ARN_SETTINGS } from '../server/secrets.ts';

/** What ingest calls on the bucket (ingest/upload.ts), as IAM actions: nothing more. */
export const INGEST_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'];
export const INGEST_BUCKET_ACTIONS = ['s3:ListBucket'];
/**
 * What ingest calls on Amazon Transcribe (ingest/asr-transcribe.ts, `HLSGATE_ASR=transcribe`), on
 * its own jobs (`hlsgate-*`) only. Transcribe reads the staged audio and writes its output under
 * incoming/ with the caller's own S3 rights above, so nothing more is needed.
 */
export const INGEST_TRANSCRIBE_ACTIONS = ['transcribe:StartTranscriptionJob', 'transcribe:GetTranscriptionJob', 'transcribe:DeleteTranscriptionJob'];
/** The name every transcription job of ingest starts with. */
export const TRANSCRIBE_JOB_PREFIX = 'hlsgate-';

/**
 * Memory of the auth function. CPU comes with it (a whole vCPU at 1,769 MB): the first viewer after
 * a quiet night waits for the cold start, and loading the bundle and the AWS SDK is CPU-bound.
 * A warm request takes a few ms, so the larger size costs little (see deploy/README.md).
 */
export const AUTH_MEMORY_MB = 1024;

export interface HlsgateStackProps extends StackProps {
  config: DeployConfig;
  /** The folder holding the esbuild bundle of server/lambda.ts (deploy/bundle.ts). */
  lambdaBundleDir: string;
}

export class HlsgateStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly authFunction: lambda.Function;
  readonly ingestPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: HlsgateStackProps) {
    super(scope, id, props);
    const { config } = props;
    const mediaOrigin = `https://${config.mediaDomain}`;
    const mediaBaseUrl = `${mediaOrigin}/${config.s3Prefix}/`;

    this.bucket = new s3.Bucket(this, 'Media', {
      bucketName: config.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      transferAcceleration: true,
      lifecycleRules: [{ id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(2) }],
      // Lectures outlive a stack: deleting the stack leaves the bucket.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Keys: one, or two during a rotation; the key group trusts every listed key.
    const publicKeys = config.keys.map(
      (key) =>
        new cloudfront.PublicKey(this, `PublicKey-${key.name}`, {
          encodedKey: key.publicKeyPem,
          comment: `hlsgate ${key.name}`,
        }),
    );
    const keyGroup = new cloudfront.KeyGroup(this, 'KeyGroup', {
      items: publicKeys,
      comment: 'hlsgate: the auth server signs cookies with one of these',
    });
    const privateKeySecrets = config.keys.map((key) =>
      key.privateKeySecretArn
        ? secretsmanager.Secret.fromSecretCompleteArn(this, `PrivateKey-${key.name}`, key.privateKeySecretArn)
        : new secretsmanager.Secret(this, `PrivateKey-${key.name}`, {
            description: `hlsgate: the CloudFront private key (PEM) of public key "${key.name}"; put it here after the first deploy`,
            // A placeholder the auth server refuses by name until the PEM is put in.
            generateSecretString: { passwordLength: 32, excludePunctuation: true },
          }),
    );
    const tokenSecret = new secretsmanager.Secret(this, 'TokenSecrets', {
      description: `hlsgate: view-token secrets {"kid":"secret"}; "${config.tokenKeyId}" is the Moodle filter's`,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: config.tokenKeyId,
        passwordLength: 64,
        excludePunctuation: true,
      },
    });

    const keyPairIdOf = (name: string) => publicKeys[config.keys.findIndex((k) => k.name === name)]!.publicKeyId;
    const environment: Record<string, string> = {
      HLSGATE_TOKEN_ISSUERS: config.tokenIssuers.join(','),
      HLSGATE_MEDIA_BASE_URLS: mediaBaseUrl,
      HLSGATE_ALLOWED_ORIGINS: [...config.moodleOrigins, ...config.appOrigins].join(','),
      HLSGATE_COOKIE_TTL: String(config.cookieTtl),
      HLSGATE_CLIENT_ADDRESS_HEADER: AUTH_ROUTE.clientAddressHeader,
      HLSGATE_SIGNED_PLAYLISTS: String(config.signedPlaylists),
      HLSGATE_CLOUDFRONT_KEY_PAIR_ID: publicKeys[0]!.publicKeyId,
      HLSGATE_CLOUDFRONT_ACTIVE_KEY_PAIR_ID: keyPairIdOf(config.activeKey),
      // Secrets by reference only: server/lambda.ts reads them once per cold start.
      [SECRET_ARN_SETTINGS.tokenSecrets]: tokenSecret.secretArn,
      [SECRET_ARN_SETTINGS.privateKey]: privateKeySecrets[0]!.secretArn,
    };
    if (publicKeys[1]) {
      environment.HLSGATE_CLOUDFRONT_SECOND_KEY_PAIR_ID = publicKeys[1].publicKeyId;
      environment[SECRET_ARN_SETTINGS.secondPrivateKey] = privateKeySecrets[1]!.secretArn;
    }

    this.authFunction = new lambda.Function(this, 'AuthFunction', {
      description: 'hlsgate auth server: view token → CloudFront signed cookies',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.lambdaBundleDir),
      memorySize: AUTH_MEMORY_MB,
      timeout: Duration.seconds(10),
      environment,
      logGroup: new logs.LogGroup(this, 'AuthLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    tokenSecret.grantRead(this.authFunction);
    for (const secret of privateKeySecrets) secret.grantRead(this.authFunction);
    const functionUrl = this.authFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    // Origin access control with a bucket policy of our own: CloudFront reads PREFIX/* only (CDK's
    // would grant the whole bucket). No s3:ListBucket, so a missing object answers 403, not 404.
    const mediaOac = new cloudfront.S3OriginAccessControl(this, 'MediaOriginAccess', {
      description: 'hlsgate: CloudFront reads the media bucket',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    const mediaOriginAccess = origins.S3BucketOrigin.withBucketDefaults(this.bucket, {
      originAccessControlId: mediaOac.originAccessControlId,
    });
    const cachePolicy = (id: string, seconds: number, comment: string) =>
      new cloudfront.CachePolicy(this, id, {
        comment,
        defaultTtl: Duration.seconds(seconds),
        maxTtl: Duration.seconds(seconds),
        minTtl: Duration.seconds(0),
        // The signed cookies are checked at the edge; in the key they would make every viewer a miss.
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        headerBehavior: cloudfront.CacheHeaderBehavior.none(),
        queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
    const segmentCache = cachePolicy('SegmentCache', CACHE.segments.seconds, 'hlsgate segments: immutable');
    const playlistCache = cachePolicy('PlaylistCache', CACHE.playlists.seconds, 'hlsgate playlists: short');
    const mediaCors = new cloudfront.ResponseHeadersPolicy(this, 'MediaCors', {
      comment: 'hlsgate media: CORS for the Moodle origin(s) with credentials',
      corsBehavior: {
        accessControlAllowOrigins: [...config.moodleOrigins, ...config.appOrigins],
        accessControlAllowCredentials: MEDIA_CORS.allowCredentials,
        accessControlAllowMethods: [...MEDIA_CORS.allowMethods],
        accessControlAllowHeaders: [...MEDIA_CORS.allowHeaders],
        accessControlExposeHeaders: [...MEDIA_CORS.exposeHeaders],
        accessControlMaxAge: Duration.seconds(MEDIA_CORS.maxAgeSeconds),
        originOverride: true,
      },
    });
    const mediaBehavior = (cache: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin: mediaOriginAccess,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      trustedKeyGroups: [keyGroup],
      cachePolicy: cache,
      responseHeadersPolicy: mediaCors,
      compress: true,
    });

    const authRequest = new cloudfront.OriginRequestPolicy(this, 'AuthRequest', {
      comment: 'hlsgate auth: the token (moved out of Authorization), Origin, the viewer address, a signed playlist capability',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...AUTH_ROUTE.forwardedHeaders),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.allowList(...AUTH_ROUTE.forwardedQueryStrings),
    });
    const authViewerRequest = new cloudfront.Function(this, 'AuthViewerRequest', {
      comment: 'hlsgate: Authorization → X-Hlsgate-Authorization (OAC signs Authorization), empty-body hash',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(authViewerRequestSource()),
    });

    let logBucket: s3.Bucket | undefined;
    if (config.accessLogs) {
      logBucket = new s3.Bucket(this, 'AccessLogs', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        // CloudFront's standard logs are delivered with an ACL.
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        lifecycleRules: [{ expiration: Duration.days(90) }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `hlsgate ${config.mediaDomain}`,
      domainNames: [config.mediaDomain],
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn),
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass[
        ({ PriceClass_100: 'PRICE_CLASS_100', PriceClass_200: 'PRICE_CLASS_200', PriceClass_All: 'PRICE_CLASS_ALL' } as const)[config.priceClass]
      ],
      enableLogging: config.accessLogs,
      logBucket,
      logFilePrefix: config.accessLogs ? 'cloudfront/' : undefined,
      defaultBehavior: mediaBehavior(segmentCache),
      additionalBehaviors: {
        [AUTH_ROUTE.pathPattern]: {
          origin: origins.FunctionUrlOrigin.withOriginAccessControl(functionUrl),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: authRequest,
          functionAssociations: [{ function: authViewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
          compress: false,
        },
        [CACHE.playlists.pathPattern]: mediaBehavior(playlistCache),
      },
    });

    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsMedia',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${config.s3Prefix}/*`)],
        conditions: {
          StringEquals: {
            'AWS:SourceArn': this.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: this.distribution.distributionId }),
          },
        },
      }),
    );

    if (config.hostedZone) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: config.hostedZone.id,
        zoneName: config.hostedZone.name,
      });
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'MediaA', { zone, recordName: config.mediaDomain, target });
      new route53.AaaaRecord(this, 'MediaAAAA', { zone, recordName: config.mediaDomain, target });
    }

    // Ingest workers: write, check and clear objects under PREFIX/ and their staged sources under
    // incoming/ (outside what CloudFront may read), list only those; nothing else.
    this.ingestPolicy = new iam.ManagedPolicy(this, 'IngestPolicy', {
      description: `hlsgate ingest workers: ${config.s3Prefix}/ of the media bucket (also through its accelerate endpoint)`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ObjectsUnderPrefix',
          actions: INGEST_OBJECT_ACTIONS,
          resources: [this.bucket.arnForObjects(`${config.s3Prefix}/*`), this.bucket.arnForObjects(`${INCOMING_PREFIX}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'ListPrefix',
          actions: INGEST_BUCKET_ACTIONS,
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${config.s3Prefix}/*`, `${INCOMING_PREFIX}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'TranscribeJobs',
          actions: INGEST_TRANSCRIBE_ACTIONS,
          resources: [this.formatArn({ service: 'transcribe', resource: 'transcription-job', resourceName: `${TRANSCRIBE_JOB_PREFIX}*` })],
        }),
      ],
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('MediaUrl', mediaBaseUrl, 'Media base URL (players, the filter, ingest)');
    output('DistributionId', this.distribution.distributionId, 'CloudFront distribution id (invalidations)');
    if (!config.hostedZone) {
      output('DnsTarget', this.distribution.distributionDomainName, `CNAME ${config.mediaDomain} to this name at your DNS (DNS only: players use MediaUrl)`);
    }
    output('FilterAuthUrl', `${mediaOrigin}${AUTH_ROUTE.pathPrefix}`, 'Moodle filter: filter_hlsgate/authurl');
    output('FilterIssuer', config.tokenIssuers[0]!, 'Moodle filter: filter_hlsgate/issuer');
    output('FilterMediaBaseUrls', mediaBaseUrl, 'Moodle filter: filter_hlsgate/mediabaseurls');
    output('FilterTokenKid', config.tokenKeyId, 'Moodle filter: filter_hlsgate/tokenkid');
    output('FilterTokenSecretCommand', `aws secretsmanager get-secret-value --secret-id ${tokenSecret.secretArn} --query SecretString --output text`, 'Moodle filter: prints {"<tokenkid>":"<filter_hlsgate/tokensecret>"}');
    output('IngestSettings', `HLSGATE_S3_BUCKET=${this.bucket.bucketName} HLSGATE_S3_REGION=${Aws.REGION} HLSGATE_S3_PREFIX=${config.s3Prefix} HLSGATE_S3_ACCELERATE=true HLSGATE_MEDIA_BASE_URL=${mediaBaseUrl}`, 'Ingest: settings');
    output('IngestPolicyArn', this.ingestPolicy.managedPolicyArn, 'Ingest: attach to the workers\' role or user');
    output('ActiveKeyPairId', keyPairIdOf(config.activeKey), 'CloudFront key pair id that signs now');
    config.keys.forEach((key, i) => {
      output(`PrivateKeySecret${i + 1}`, privateKeySecrets[i]!.secretArn, `Secret for the private key (PEM) of "${key.name}" (${key.privateKeySecretArn ? 'given' : 'put it in after the first deploy'})`);
    });
  }
}
