import { describe, expect, it } from 'vitest';
import { parseS3Identity, parseS3Location, s3Identity, scrubSignedUrls } from './identity.ts';
import { s3AudioUrls } from './resolver.ts';

describe('S3 identities', () => {
  it('round-trips keys holding #, ? and % and keeps the ETag apart', () => {
    const o = { bucket: 'calls', key: '2026-11-30/agent #7/call?1%.wav', etag: 'abc-2' };
    const id = s3Identity(o);
    expect(id).toBe('s3://calls/2026-11-30/agent%20%237/call%3F1%25.wav#abc-2');
    expect(parseS3Identity(id)).toEqual(o);
    expect(parseS3Identity('https://x/y.mp3')).toBeUndefined();
  });

  it('parses locations and refuses what is not one', () => {
    expect(parseS3Location('s3://calls/2026-11-30/')).toEqual({ bucket: 'calls', prefix: '2026-11-30/' });
    expect(parseS3Location('s3://calls')).toEqual({ bucket: 'calls', prefix: '' });
    expect(() => parseS3Location('s3:///x')).toThrow(/not an s3/);
    expect(() => parseS3Location('s3://a/x')).toThrow(/not a bucket name/);
  });

  it('masks signatures and credentials in any text', () => {
    const text =
      'Download error, unable to download http://h/calls/a.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F1&X-Amz-Date=20261201T000000Z&X-Amz-Expires=60&X-Amz-Signature=deadbeef&X-Amz-SignedHeaders=host. Please';
    const out = scrubSignedUrls(text);
    expect(out).not.toMatch(/deadbeef|AKIA/);
    expect(out).toContain('X-Amz-Signature=[REDACTED]');
    expect(out).toContain('X-Amz-Expires=60');
  });

  it('recognises a presigned URL of an identity whatever its signature', () => {
    const urls = s3AudioUrls({ presignExpiresS: 60 });
    const id = s3Identity({ bucket: 'calls', key: 'd/a b.wav', etag: 'e' });
    expect(urls.matches(id, 'http://127.0.0.1:9000/calls/d/a%20b.wav?X-Amz-Signature=1')).toBe(true);
    expect(urls.matches(id, 'https://calls.s3.eu-west-1.amazonaws.com/d/a%20b.wav?x=1')).toBe(true);
    expect(urls.matches(id, 'http://127.0.0.1:9000/calls/d/other.wav?X-Amz-Signature=1')).toBe(false);
  });
});
