import { extname } from 'node:path';
import { type _Object, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { FatalError, toError, UsageError } from '@mediatag/errors';
import { bareEtag, LIST_PAGE_SIZE, type S3Location, s3Identity } from '@mediatag/s3';
import type { KeyMatcher } from './s3-options.ts';
import type { Origin } from './sources.ts';
import { MEDIA_EXTENSIONS } from './walk.ts';

/** What `enqueue s3://…` does with a prefix. */
export interface S3ListOptions {
  client: S3Client;
  /** Skip objects last modified before this. */
  since?: Date | undefined;
  /** Stop after this many media files. */
  maxFiles?: number | undefined;
  keyPattern?: KeyMatcher | undefined;
  /** Objects without an extension are asked for their Content-Type this many at a time. */
  headConcurrency?: number;
}

/** Counts of one listing, for the summary line. */
export interface S3Totals {
  pages: number;
  listed: number;
  media: number;
  /** Not audio or video by extension or Content-Type. */
  notMedia: number;
  /** Older than --since. */
  older: number;
  /** Folder markers (keys ending in /) and empty objects. */
  empty: number;
  /** Media files left unlisted because --max-files was reached. */
  truncated: boolean;
}

/** One media object to enqueue, or one that does not fit --key-pattern. */
export type S3Item =
  | { kind: 's3'; url: string; metadata: Record<string, string>; origin: Origin }
  | { kind: 'rejected'; reason: string; origin: Origin };

// Extensions that show up on media objects but not on local files.
const MEDIA_KEY_EXTENSIONS = new Set([...MEDIA_EXTENSIONS, '.m4b', '.mpga', '.mp2', '.weba', '.spx', '.gsm']);
const MEDIA_TYPE = /^(x-)?(audio|video)\//i;

/** Empty totals. */
export function s3Totals(): S3Totals {
  return { pages: 0, listed: 0, media: 0, notMedia: 0, older: 0, empty: 0, truncated: false };
}

/**
 * Lists every object under the prefix, a page (1,000 keys) at a time, and yields the media
 * ones as `s3://bucket/key#etag` identities with their key fields, size and date as metadata.
 * Nothing is signed here: the worker presigns at submission.
 */
export async function* s3Items(
  location: S3Location,
  options: S3ListOptions,
  totals: S3Totals = s3Totals(),
): AsyncGenerator<S3Item> {
  const source = `s3://${location.bucket}/${location.prefix}`;
  let token: string | undefined;
  do {
    const page = await listPage(options.client, location, token, source);
    totals.pages += 1;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    const candidates: _Object[] = [];
    for (const object of page.Contents ?? []) {
      totals.listed += 1;
      if (!object.Key || object.Key.endsWith('/') || object.Size === 0) totals.empty += 1;
      else if (options.since && object.LastModified && object.LastModified < options.since) totals.older += 1;
      else candidates.push(object);
    }
    const media = await keepMedia(options.client, location.bucket, candidates, options.headConcurrency ?? 16);
    totals.notMedia += candidates.length - media.length;
    for (const object of media) {
      if (options.maxFiles !== undefined && totals.media >= options.maxFiles) {
        totals.truncated = true;
        return;
      }
      const key = object.Key ?? '';
      const origin = { source: `s3://${location.bucket}/${key}`, line: 0 };
      totals.media += 1;
      const fields = options.keyPattern ? options.keyPattern(key, location.prefix) : {};
      if (fields === null) {
        yield { kind: 'rejected', reason: 'key does not match --key-pattern', origin };
        continue;
      }
      yield {
        kind: 's3',
        url: s3Identity({ bucket: location.bucket, key, etag: bareEtag(object.ETag ?? '') }),
        metadata: {
          ...fields,
          s3_key: key,
          ...(object.Size !== undefined ? { size_bytes: String(object.Size) } : {}),
          ...(object.LastModified ? { last_modified: object.LastModified.toISOString() } : {}),
        },
        origin,
      };
    }
  } while (token);
}

async function listPage(client: S3Client, location: S3Location, token: string | undefined, source: string) {
  try {
    return await client.send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: location.prefix,
        MaxKeys: LIST_PAGE_SIZE,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
  } catch (error) {
    throw s3Failure(source, error);
  }
}

/**
 * The media objects among `objects`: by extension, or for a key without one (recorders
 * often write `calls/12345`), by the Content-Type a HEAD request reports.
 */
async function keepMedia(client: S3Client, bucket: string, objects: _Object[], concurrency: number) {
  const keep = new Array<boolean>(objects.length).fill(false);
  const unknown: number[] = [];
  objects.forEach((o, i) => {
    const ext = extname(o.Key ?? '').toLowerCase();
    if (MEDIA_KEY_EXTENSIONS.has(ext)) keep[i] = true;
    else if (ext === '' || ext.length > 6) unknown.push(i);
  });
  for (let start = 0; start < unknown.length; start += concurrency) {
    await Promise.all(
      unknown.slice(start, start + concurrency).map(async (i) => {
        const key = objects[i]?.Key ?? '';
        try {
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          keep[i] = MEDIA_TYPE.test(head.ContentType ?? '');
        } catch (error) {
          throw s3Failure(`s3://${bucket}/${key}`, error);
        }
      }),
    );
  }
  return objects.filter((_, i) => keep[i]);
}

/** A failure of S3 in words a user can act on: bad input (exit 2) or the store failing (exit 1). */
export function s3Failure(source: string, error: unknown): Error {
  const e = toError(error);
  const name = (e as { name?: string; Code?: string }).Code ?? e.name;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const usage = (text: string) => new UsageError(`${source}: ${text}`, { cause: e });
  switch (name) {
    case 'NoSuchBucket':
      return usage('no such bucket');
    case 'AccessDenied':
    case 'Forbidden':
      return usage(
        'access denied (the credentials need s3:ListBucket on the prefix and s3:GetObject on its objects)',
      );
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
      return usage(`the store refused the credentials (${name})`);
    case 'CredentialsProviderError':
      return usage(
        'no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or run where a role is attached)',
      );
  }
  if (/region is missing/i.test(e.message)) return usage('no AWS region configured (set AWS_REGION)');
  if (status === 403) return usage(`access denied (HTTP 403${name ? `, ${name}` : ''})`);
  return new FatalError(`${source}: ${e.message || name}`, { cause: e });
}
