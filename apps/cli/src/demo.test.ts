import { randomBytes } from 'node:crypto';
import { dropDatabase, TEST_SERVER_URL } from '@mediatag/db/testing';
import { createRedis } from '@mediatag/queue';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeys } from './harness.ts';
import { runCli } from './testing.ts';

const name = `mt_test_demo_${randomBytes(4).toString('hex')}`;
const prefix = `mt-test-demo-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await dropDatabase(name);
  const redis = createRedis('redis://127.0.0.1:6379', 'producer');
  await deleteKeys(redis, `${prefix}*`);
  redis.disconnect();
});

describe('mediatag demo', () => {
  it('runs the main job on the embedded emulator and prints the results table and SQL', async () => {
    const run = await runCli(['demo'], { DATABASE_URL: `${TEST_SERVER_URL}/${name}`, QUEUE_PREFIX: prefix });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^url +topic +transcript_status +tag_status/m);
    expect(run.stdout).toMatch(/\/samples\/sports-01\.mp3 +Sports +completed +tagged/);
    expect(run.stdout).toMatch(
      /\/samples\/billing-and-payments-01\.mp3 +Billing and Payments +completed +tagged/,
    );
    expect(run.stdout).toContain('SELECT batch, topic, count(*) FROM tagged_files');
    expect(run.stdout).toMatch(/emulator: 40 submissions for 40 files/);
    expect(run.stderr).toMatch(/all 30 files final/);
  }, 60_000);
});
