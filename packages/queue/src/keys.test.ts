import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from './catalog.ts';
import { createRedis } from './connection.ts';
import { redisKeys } from './keys.ts';
import { createQueues } from './queues.ts';
import { everyKey } from './testing.ts';

const redis = createRedis('redis://127.0.0.1:6379', 'producer');
afterAll(() => redis.disconnect());

describe('redisKeys', () => {
  it('keeps the exact names running deployments use', () => {
    expect(everyKey(redisKeys('{mediatag}-eu')).sort()).toEqual(
      [
        '{mediatag}-eu:transcribe:limiter',
        '{mediatag}-eu:poll:limiter',
        '{mediatag}-eu:tag:limiter',
        '{mediatag}-eu:transcribe:marker',
        '{mediatag}-eu:poll:marker',
        '{mediatag}-eu:tag:marker',
        '{mediatag}-eu:mediatag:inflight',
        '{mediatag}-eu:mediatag:rate:assemblyai',
        '{mediatag}-eu:mediatag:rate:llm:some-model',
        '{mediatag}-eu:mediatag:epoch',
        '{mediatag}-eu:mediatag:reconcile-lock',
        '{mediatag}-eu:mediatag:sweep-lock',
        '{mediatag}-eu:mediatag:cap-full:7',
        '{mediatag}-eu:mediatag:health:seen',
        '{mediatag}-eu:mediatag:health:workers',
        '{mediatag}-eu:mediatag:health:key-rejected',
        '{mediatag}-eu:mediatag:health:gateway-wait',
        '{mediatag}-eu:mediatag:metrics',
      ].sort(),
    );
    expect(redisKeys('mediatag').all).toBe('mediatag:*');
  });

  it("names each queue's limiter and marker keys as BullMQ does", async () => {
    const prefix = `mt-test-${randomBytes(4).toString('hex')}`;
    const queues = createQueues(redis, prefix);
    try {
      for (const name of QUEUE_NAMES) {
        expect(redisKeys(prefix).limiter(name)).toBe(queues[name].keys.limiter);
        expect(redisKeys(prefix).marker(name)).toBe(queues[name].keys.marker);
      }
    } finally {
      await queues.close();
    }
  });
});
