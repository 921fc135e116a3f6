// Fixture for the server's tests: a migrated database of its own, real Redis under a random
// prefix, and a server on a free loopback port.
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { silentLogger } from '@mediatag/logger';
import { createQueues, createRedis, type Queues, type RedisClient, redisKeys } from '@mediatag/queue';
import { type RunningServer, type ServerOptions, startServer } from './server.ts';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const SECRET = 'test-secret-0123456789';
export const HEADER = 'x-mediatag-webhook-secret';

/** Shared state of one test file. */
export interface Fixture {
  db: TestDatabase;
  redis: RedisClient;
  queues: Queues;
  prefix: string;
  /** Starts a server on the fixture's connections; closed by `close()`. */
  serve(overrides?: Partial<ServerOptions>): Promise<RunningServer>;
  /** Inserts a media file and returns its id. */
  addFile(transcriptId: string | null, status: string): Promise<number>;
  close(): Promise<void>;
}

/** Opens the fixture. */
export async function openFixture(): Promise<Fixture> {
  const db = await createTestDatabase();
  const redis = createRedis(REDIS_URL, 'worker');
  const prefix = `mt-test-${randomBytes(4).toString('hex')}`;
  const queues = createQueues(redis, prefix);
  const servers: RunningServer[] = [];
  let n = 0;
  return {
    db,
    redis,
    queues,
    prefix,
    async serve(overrides = {}) {
      const server = await startServer({
        db: db.db,
        redis,
        queues,
        log: silentLogger(),
        port: 0,
        host: '127.0.0.1',
        ...overrides,
      });
      servers.push(server);
      return server;
    },
    async addFile(transcriptId, status) {
      n++;
      const { rows } = await db.pool.query<{ id: number }>(
        'INSERT INTO media_files (url, transcript_id, transcript_status) VALUES ($1, $2, $3) RETURNING id',
        [`https://example.com/${n}.mp3`, transcriptId, status],
      );
      return Number(rows[0]?.id);
    },
    async close() {
      for (const server of servers) await server.close();
      for (const q of [queues.transcribe, queues.poll, queues.tag]) await q.obliterate({ force: true });
      await queues.close();
      const keys = await redis.keys(redisKeys(prefix).all);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.drop();
    },
  };
}
