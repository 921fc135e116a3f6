import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'mt-upload-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'a.mp3'), randomBytes(300_000));
  await writeFile(join(dir, 'sub', 'b.wav'), randomBytes(120_000));
  await copyFile(join(dir, 'a.mp3'), join(dir, 'sub', 'same-as-a.m4a'));
  await writeFile(join(dir, 'sub', 'notes.txt'), 'not audio\n');
  await writeFile(join(dir, 'empty.wav'), '');
  await writeFile(join(dir, '.hidden.mp3'), randomBytes(10));
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

describe('local audio (enqueue PATH)', () => {
  it('uploads each distinct file once, streamed, and transcribes its upload_url', async () => {
    const run = await h.cli(['enqueue', dir, '--batch', 'local']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('added 2, already known 1, rejected 2');
    expect(run.stdout).toContain('uploaded 2 of 4 local files');
    expect(run.stderr).toMatch(/rejected .*empty\.wav: empty file/);
    expect(run.stderr).toMatch(/rejected .*notes\.txt: not an audio or video file/);
    expect(h.emulator.stats().uploads).toBe(2);
    expect(h.emulator.stats().uploadBytes).toBe(420_000);

    // Again, and a single file by path: nothing is uploaded twice.
    expect((await h.cli(['enqueue', dir, '--batch', 'local'])).stdout).toContain('added 0, already known 3');
    expect((await h.cli(['enqueue', join(dir, 'sub', 'b.wav'), '--batch', 'other'])).stdout).toContain(
      'added 1',
    );
    expect(h.emulator.stats().uploads).toBe(2);

    await h.startWorkers();
    const p = await h.waitFinal('local');
    expect(p).toMatchObject({ total: 2, tagged: 2 });
    const { rows } = await h.db.pool.query(
      `SELECT source, local_path, length(content_hash) AS hash, url LIKE $1 AS upload_url
       FROM media_files ORDER BY local_path`,
      [`${h.emulator.url}/cdn/upload/%`],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatchObject({ source: 'upload', hash: 64, upload_url: true });
    // a.mp3 and same-as-a.m4a are one recording: whichever path was read first is kept.
    // (Sorting the two paths put either first, so pick them out by name, not by position.)
    const paths = rows.map((r) => r.local_path as string);
    expect(paths.filter((p) => p === join(dir, 'sub', 'b.wav'))).toHaveLength(1);
    const other = paths.filter((p) => p !== join(dir, 'sub', 'b.wav'));
    expect(other).toHaveLength(1);
    expect([join(dir, 'a.mp3'), join(dir, 'sub', 'same-as-a.m4a')]).toContain(other[0]);
    expect(h.emulator.stats().submissions).toBe(2);
  }, 60_000);

  it('a folder with nothing in it is a usage error', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mt-empty-'));
    const run = await h.cli(['enqueue', empty, '--batch', 'none']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the folder holds no files');
    await rm(empty, { recursive: true });
  });
});
