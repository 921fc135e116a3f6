/** An S3 object as mediatag records it: where it is and which version of it. */
export interface S3Object {
  bucket: string;
  key: string;
  /** The ETag without quotes; changes whenever the object is rewritten. */
  etag: string;
}

/** A bucket and a key prefix (possibly empty), as given on the command line. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

// Bucket names: 3-63 of lower case letters, digits, dots and hyphens (S3's rules; compatible
// stores are laxer about capitals and underscores, so those pass too).
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,62}$/;

/** Parses `s3://bucket/prefix/`; throws a RangeError naming what is wrong. */
export function parseS3Location(text: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(text);
  if (!m) throw new RangeError(`${text}: not an s3://BUCKET/PREFIX URL`);
  const bucket = m[1] ?? '';
  if (!BUCKET.test(bucket)) throw new RangeError(`${text}: "${bucket}" is not a bucket name`);
  return { bucket, prefix: m[2] ?? '' };
}

/** An ETag as listed (`"0da4…"`), without its quotes. */
export function bareEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

// Each key segment percent-encoded, `/` kept: a key may hold `#`, `?` or `%`, which must not
// be taken for the ETag separator when the identity is read back.
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * The identity a file is stored under: `s3://bucket/key#etag`. Never a signed URL: the
 * same object enqueued again is the same row; a rewritten object (new ETag) is a new one.
 */
export function s3Identity(o: S3Object): string {
  return `s3://${o.bucket}/${encodeKey(o.key)}#${o.etag}`;
}

/** Reads an identity back; undefined for anything that is not one. */
export function parseS3Identity(url: string): S3Object | undefined {
  const m = /^s3:\/\/([^/]+)\/([^#]+)#([^#]*)$/.exec(url);
  if (!m) return undefined;
  try {
    return { bucket: m[1] ?? '', key: decodeURIComponent(m[2] ?? ''), etag: m[3] ?? '' };
  } catch {
    return undefined;
  }
}

/** True for a stored `s3://` identity. */
export function isS3Identity(url: string): boolean {
  return url.startsWith('s3://');
}

// The query parameters that make a URL a bearer credential: AWS SigV4 and SigV2, Google
// Cloud Storage and Azure SAS signatures, and the temporary session token.
const SIGNED_QUERY =
  /([?&])(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|X-Goog-Signature|X-Goog-Credential|sig)=[^&#\s"'<>]*/gi;

/**
 * Masks the signature and credential parameters of any presigned URL inside a text (an API
 * error message quotes the URL it could not download), keeping the rest readable.
 */
export function scrubSignedUrls(text: string): string {
  return text.replace(SIGNED_QUERY, '$1$2=[REDACTED]');
}
