// A real S3-protocol server for tests and the bench: s3rver in a child process on a free
// loopback port, with its data in a temporary folder removed on close.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** s3rver's fixed credentials (it accepts these and no others). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A running local S3 server with one or more buckets. */
export interface LocalS3 {
  /** `http://127.0.0.1:PORT`: the endpoint for AWS_ENDPOINT_URL_S3. */
  endpoint: string;
  /** The environment a mediatag process needs to reach it. */
  env: Record<string, string>;
  /** A client for the test's own uploads. */
  client: S3Client;
  /** Uploads an object (a few bytes of "audio" unless `body` is given). */
  put(bucket: string, key: string, body?: string | Buffer, contentType?: string): Promise<void>;
  /** Stops the server (new connections refused) but keeps its data. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

// s3rver's signature code uses MD4/legacy digests that OpenSSL 3 only offers through the
// legacy provider, so it runs in a child process started with that flag rather than here.
const SCRIPT = `
const S3rver = require(process.argv[1]);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[2],
  configureBuckets: JSON.parse(process.argv[3]).map((name) => ({ name })) });
server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + '\\n'),
  (error) => { process.stderr.write(String(error) + '\\n'); process.exit(1); });
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`;

/** Starts s3rver on 127.0.0.1 with the given buckets. */
export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
  const dir = await mkdtemp(join(tmpdir(), 'mediatag-s3-'));
  const entry = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-e', SCRIPT, entry, dir, JSON.stringify(buckets)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await readPort(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // s3rver predates the SDK's default CRC32 checksums on uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    client,
    async put(bucket, key, body = `audio of ${key}`, contentType = contentTypeOf(key)) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
      );
    },
    stop,
    async close() {
      client.destroy();
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function contentTypeOf(key: string): string {
  if (key.endsWith('.wav')) return 'audio/wav';
  if (key.endsWith('.mp3')) return 'audio/mpeg';
  return 'application/octet-stream';
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${err.trim()}`)));
  });
}
