// Baseline (b): a straightforward BullMQ worker. Each job submits its file, then sleeps and
// polls inside the job (holding its worker slot) until the transcript is done, then tags.
import { randomBytes } from 'node:crypto';
import { createRedis, duplicateRedis } from '@mediatag/queue';
import { Queue, Worker } from 'bullmq';
import { deletePrefix, REDIS_URL } from '../lib/stack.ts';
import { type CallCounts, transcribeAndTag } from './api.ts';

export async function runNaiveBullmq(
  base: string,
  urls: string[],
  pollMs: number,
  concurrency: number,
): Promise<{ ms: number; completed: number; failed: number; counts: CallCounts }> {
  const counts: CallCounts = { retries: 0 };
  const prefix = `mt-bench-naive-${randomBytes(4).toString('hex')}`;
  const redis = createRedis(REDIS_URL, 'worker');
  await redis.connect();
  const workerConnection = duplicateRedis(redis);
  const queue = new Queue<{ url: string }>('files', { connection: redis, prefix });
  let worker: Worker | undefined;
  try {
    for (let i = 0; i < urls.length; i += 500) {
      await queue.addBulk(urls.slice(i, i + 500).map((url) => ({ name: 'file', data: { url } })));
    }
    let completed = 0;
    let failed = 0;
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      const settle = () => {
        if (completed + failed >= urls.length) resolve();
      };
      worker = new Worker<{ url: string }>(
        'files',
        async (job) => {
          const r = await transcribeAndTag(base, job.data.url, pollMs, counts);
          return r.topic;
        },
        { connection: workerConnection, prefix, concurrency },
      );
      worker.on('completed', () => {
        completed++;
        settle();
      });
      worker.on('failed', () => {
        failed++;
        settle();
      });
    });
    await done;
    return { ms: performance.now() - started, completed, failed, counts };
  } finally {
    await worker?.close();
    await queue.close();
    workerConnection.disconnect();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  }
}
