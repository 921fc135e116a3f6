import { FatalError } from '@mediatag/errors';
import { Redis } from 'ioredis';

/**
 * `worker`: BullMQ's blocking connections need `maxRetriesPerRequest: null` and reconnect
 * forever (a Redis restart must not kill a worker). `producer`: fail fast, so a CLI run
 * against a dead Redis prints one line instead of hanging.
 */
export type ConnectionRole = 'worker' | 'producer';

function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** An ioredis connection configured for its role. */
export function createRedis(url: string, role: ConnectionRole): Redis {
  const redis =
    role === 'worker'
      ? new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: null,
          enableReadyCheck: true,
          retryStrategy: (n: number) => Math.min(n * 200, 5000),
        })
      : new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          connectTimeout: 5000,
          retryStrategy: (n: number) => (n > 2 ? null : 200),
        });
  // Errors surface through commands; without a listener ioredis prints them to stderr.
  redis.on('error', () => {});
  return redis;
}

/** Connects and PINGs, turning failure into one line; also checks the eviction policy BullMQ needs. */
export async function checkRedis(redis: Redis, url: string): Promise<{ evictionWarning?: string }> {
  try {
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new FatalError(
      `cannot connect to Redis at ${where(url)}: ${reason} (is it running? check REDIS_URL)`,
    );
  }
  try {
    const policy = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (policy[1] && policy[1] !== 'noeviction') {
      return { evictionWarning: `Redis maxmemory-policy is ${policy[1]}; BullMQ needs noeviction` };
    }
  } catch {
    // Managed Redis often forbids CONFIG; the check is advisory.
  }
  return {};
}
