import { randomBytes } from 'node:crypto';
import { FatalError } from '@mediatag/errors';
import { Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedis, createRedis, masters, type RedisClient } from './connection.ts';
import { redisKeys } from './keys.ts';
import { addJobs, createQueues } from './queues.ts';
import { everyKey, startRedisCluster, type TestRedisCluster } from './testing.ts';

let cluster: TestRedisCluster;
let redis: RedisClient;

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = createRedis(cluster.url, 'worker');
  await checkRedis(redis, cluster.url);
});
afterAll(async () => {
  redis?.disconnect();
  await cluster?.close();
});

/** Keys matching `pattern` on each master, by port. */
async function keysByMaster(pattern: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const node of masters(redis)) {
    const keys = await node.keys(pattern);
    if (keys.length) found.set(Number(node.options.port), keys);
  }
  return found;
}

describe('Redis Cluster connection (three real masters)', () => {
  it('connects a Cluster client with the retry settings BullMQ requires of workers', () => {
    expect(redis).toBeInstanceOf(Cluster);
    expect((redis as Cluster).options.redisOptions?.maxRetriesPerRequest).toBeNull();
    expect(
      masters(redis)
        .map((n) => Number(n.options.port))
        .sort(),
    ).toEqual([...cluster.ports].sort());
    const producer = createRedis(cluster.url, 'producer') as Cluster;
    expect(producer.options.redisOptions?.maxRetriesPerRequest).toBe(1);
    producer.disconnect();
  });

  it('checks the eviction policy on every master and names the ones that evict', async () => {
    expect(await checkRedis(redis, cluster.url)).toEqual({});
    const [first] = masters(redis);
    if (!first) throw new Error('no master');
    await first.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const { evictionWarning } = await checkRedis(redis, cluster.url);
      expect(evictionWarning).toBe(
        `Redis Cluster masters have another maxmemory-policy (127.0.0.1:${first.options.port} allkeys-lru); BullMQ needs noeviction`,
      );
    } finally {
      await first.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('refuses a plain redis:// URL that points at a cluster node, saying what to set', async () => {
    const url = `redis://127.0.0.1:${cluster.ports[0]}`;
    const single = createRedis(url, 'producer');
    try {
      const error = await checkRedis(single, url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FatalError);
      expect((error as Error).message).toBe(
        `Redis at 127.0.0.1:${cluster.ports[0]} is a Redis Cluster node: set REDIS_URL=redis+cluster://host:port,… (and QUEUE_PREFIX={name})`,
      );
    } finally {
      single.disconnect();
    }
  });

  it('an unreachable cluster is one line naming the seed nodes, never the password', async () => {
    const url = 'redis+cluster://app:s3cret@127.0.0.1:1,127.0.0.1:2';
    const dead = createRedis(url, 'producer');
    try {
      const error = await checkRedis(dead, url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FatalError);
      expect((error as Error).message).toMatch(
        /^cannot connect to Redis at cluster 127\.0\.0\.1:1,127\.0\.0\.1:2: /,
      );
      expect((error as Error).message).not.toContain('s3cret');
    } finally {
      dead.disconnect();
    }
  });

  it('queues under a {hash tag} prefix keep every key in one slot and process jobs', async () => {
    const prefix = `{mt-test-${randomBytes(4).toString('hex')}}`;
    const queues = createQueues(redis, prefix);
    const seen: number[] = [];
    const worker = new Worker(
      'transcribe',
      async (job) => {
        seen.push((job.data as { fileId: number }).fileId);
      },
      { connection: redis, prefix, concurrency: 5 },
    );
    try {
      const payloads = Array.from({ length: 50 }, (_, i) => ({ fileId: i + 1 }));
      await addJobs(queues, 'transcribe', payloads);
      await addJobs(queues, 'tag', [{ fileId: 1, taxonomyId: 1 }]);
      const deadline = Date.now() + 20_000;
      while (seen.length < payloads.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen.sort((a, b) => a - b)).toEqual(payloads.map((p) => p.fileId));
      const byMaster = await keysByMaster(`${prefix}:*`);
      expect(byMaster.size).toBe(1);
      const keys = [...byMaster.values()][0] ?? [];
      expect(keys.some((k) => k.startsWith(`${prefix}:tag:`))).toBe(true);
      const slots = new Set(await Promise.all(keys.map((k) => redis.call('CLUSTER', 'KEYSLOT', k))));
      expect(slots.size).toBe(1);
    } finally {
      await worker.close();
      await queues.transcribe.obliterate({ force: true });
      await queues.tag.obliterate({ force: true });
      await queues.close();
    }
  });

  it("every key of the registry sits in the queues' slot under a {hash tag} prefix", async () => {
    for (const prefix of ['{mediatag}', '{mediatag}-eu']) {
      const queues = createQueues(redis, prefix);
      try {
        // BullMQ's own keys of each queue beside every key the registry names.
        const keys = [
          ...everyKey(redisKeys(prefix)),
          ...[queues.transcribe, queues.poll, queues.tag].flatMap((q) => [q.toKey('meta'), q.toKey('wait')]),
        ];
        expect(keys.length).toBeGreaterThan(15);
        const slots = new Set(await Promise.all(keys.map((k) => redis.call('CLUSTER', 'KEYSLOT', k))));
        expect(slots.size).toBe(1);
        // And a prefix without a tag would scatter them: the check above can fail.
        const untagged = everyKey(redisKeys('mediatag'));
        const scattered = new Set(
          await Promise.all(untagged.map((k) => redis.call('CLUSTER', 'KEYSLOT', k))),
        );
        expect(scattered.size).toBeGreaterThan(1);
      } finally {
        await queues.close();
      }
    }
  });

  it('without a hash tag BullMQ cannot add a job (why QUEUE_PREFIX must carry one)', async () => {
    const queues = createQueues(redis, `mt-test-${randomBytes(4).toString('hex')}`);
    try {
      await expect(queues.transcribe.add('transcribe', { fileId: 1 })).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await queues.close();
    }
  });
});
