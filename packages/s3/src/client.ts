import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Object } from './identity.ts';

/**
 * How to reach S3 or an S3-compatible store. Everything is optional: what is not given comes
 * from the AWS SDK's default chain (environment, shared config and credentials files with
 * their profiles, SSO, web identity, container and instance roles).
 */
export interface S3Settings {
  /** AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL: a MinIO, Ceph, R2, … endpoint. */
  endpoint?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  /** Static keys from the environment; absent: the SDK's chain finds credentials. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** Path-style URLs (`host/bucket/key`); the default for a custom endpoint. */
  forcePathStyle?: boolean | undefined;
}

// S3 takes at most 1,000 keys a page; asking for the maximum keeps a 50,000-object day to 50 requests.
export const LIST_PAGE_SIZE = 1000;
// SigV4 presigned URLs live at most 7 days.
export const MAX_PRESIGN_EXPIRES_S = 7 * 24 * 3600;

/** An S3 client for these settings. */
export function createS3Client(settings: S3Settings): S3Client {
  const { credentials } = settings;
  return new S3Client({
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(credentials
      ? {
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
          },
        }
      : {}),
    forcePathStyle: settings.forcePathStyle ?? Boolean(settings.endpoint),
    maxAttempts: 5,
  });
}

/**
 * A presigned GET for one object, valid `expiresS` seconds from now. Made at submission:
 * AssemblyAI downloads when the job starts, which can be hours later for a queued backlog.
 */
export async function presignGet(client: S3Client, object: S3Object, expiresS: number): Promise<string> {
  const seconds = Math.min(Math.max(1, Math.round(expiresS)), MAX_PRESIGN_EXPIRES_S);
  const command = new GetObjectCommand({ Bucket: object.bucket, Key: object.key });
  return getSignedUrl(client, command, { expiresIn: seconds });
}
