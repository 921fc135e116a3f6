import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, presignGet, type S3Settings } from './client.ts';
import { parseS3Identity } from './identity.ts';

/** Signing failed (no credentials, no region): nothing was sent to AssemblyAI. */
export class PresignError extends Error {
  override readonly name = 'PresignError';
  readonly code = 'ERR_S3_PRESIGN';
  /** Read by the submitter: this attempt certainly created no transcript. */
  readonly sent = false;

  constructor(url: string, cause: unknown) {
    super(`cannot sign ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Turns a stored file URL into what AssemblyAI is sent, and recognises it again. */
export interface AudioUrls {
  /** The audio_url to submit: a fresh presigned GET for an `s3://` identity, the URL itself otherwise. */
  forSubmission(url: string): Promise<string>;
  /** True when `audioUrl` (as AssemblyAI lists it) was submitted for the stored `url`, whatever its signature. */
  matches(url: string, audioUrl: string): boolean;
}

/** Presigns `s3://` identities with one lazily created client; other URLs pass through. */
export function s3AudioUrls(settings: S3Settings & { presignExpiresS: number }): AudioUrls {
  let client: S3Client | undefined;
  return {
    async forSubmission(url) {
      const object = parseS3Identity(url);
      if (!object) return url;
      try {
        client ??= createS3Client(settings);
        return await presignGet(client, object, settings.presignExpiresS);
      } catch (error) {
        throw new PresignError(url, error);
      }
    },
    matches(url, audioUrl) {
      const object = parseS3Identity(url);
      if (!object) return audioUrl === url;
      let parsed: URL;
      try {
        parsed = new URL(audioUrl);
      } catch {
        return false;
      }
      const path = safeDecode(parsed.pathname);
      // Path style (`/bucket/key`) or virtual-hosted style (`bucket.host/key`).
      return (
        path === `/${object.bucket}/${object.key}` ||
        (parsed.hostname.startsWith(`${object.bucket}.`) && path === `/${object.key}`)
      );
    },
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
