import { describeRedisUrl, parseRedisUrl } from '@mediatag/config';
import { FatalError } from '@mediatag/errors';
import { Cluster, Redis } from 'ioredis';

/**
 * One Redis server or a Redis Cluster. Both speak the same commands; code that needs a
 * particular node (INFO, CONFIG, KEYS) goes through `masters()`.
 */
export type RedisClient = Redis | Cluster;

/**
 * `worker`: BullMQ's blocking connections need `maxRetriesPerRequest: null` and reconnect
 * forever (a Redis restart must not kill a worker). `producer`: fail fast, so a CLI run
 * against a dead Redis prints one line instead of hanging.
 */
export type ConnectionRole = 'worker' | 'producer';

const workerRetry = (n: number) => Math.min(n * 200, 5000);
const producerRetry = (n: number) => (n > 2 ? null : 200);

/** An ioredis connection configured for its role: a `Cluster` for a `redis+cluster://` URL. */
export function createRedis(url: string, role: ConnectionRole): RedisClient {
  const target = parseRedisUrl(url);
  const perRequest =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, connectTimeout: 5000 };
  let redis: RedisClient;
  if (target?.kind === 'cluster') {
    redis = new Cluster(target.nodes, {
      lazyConnect: true,
      clusterRetryStrategy: role === 'worker' ? workerRetry : producerRetry,
      // Node connections inherit these; BullMQ reads maxRetriesPerRequest from here on a cluster.
      redisOptions: {
        ...perRequest,
        ...(target.username !== undefined && { username: target.username }),
        ...(target.password !== undefined && { password: target.password }),
        ...(target.tls && { tls: {} }),
      },
      // With TLS, connect by the names given: the certificates name the hosts, not their IPs
      // (ioredis's advice for ElastiCache and similar managed clusters).
      ...(target.tls && {
        dnsLookup: (address: string, callback: (err: null, address: string) => void) =>
          callback(null, address),
      }),
    });
  } else {
    redis = new Redis(url, {
      lazyConnect: true,
      ...perRequest,
      retryStrategy: role === 'worker' ? workerRetry : producerRetry,
    });
  }
  // Errors surface through commands; without a listener ioredis prints them to stderr.
  redis.on('error', () => {});
  return redis;
}

/** True for a cluster client. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

/** A new connection with the same settings (ioredis's two `duplicate` signatures do not unify). */
export function duplicateRedis(redis: RedisClient): RedisClient {
  return isCluster(redis) ? redis.duplicate() : redis.duplicate();
}

/** The servers holding data: the one server, or every master of a cluster (once connected). */
export function masters(redis: RedisClient): Redis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis];
}

function nodeName(node: Redis): string {
  return `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
}

/**
 * Connects and PINGs, turning failure into one line; also checks the eviction policy BullMQ
 * needs (on every master of a cluster) and that a plain URL does not point at a cluster node.
 */
export async function checkRedis(redis: RedisClient, url: string): Promise<{ evictionWarning?: string }> {
  try {
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new FatalError(
      `cannot connect to Redis at ${describeRedisUrl(url)}: ${reason} (is it running? check REDIS_URL)`,
    );
  }
  const nodes = masters(redis);
  if (!isCluster(redis)) {
    // A single connection to a cluster node works until the first key of another node: MOVED.
    const info = await redis.info('cluster').catch(() => '');
    if (/^cluster_enabled:1/m.test(info)) {
      throw new FatalError(
        `Redis at ${describeRedisUrl(url)} is a Redis Cluster node: set REDIS_URL=redis+cluster://host:port,… (and QUEUE_PREFIX={name})`,
      );
    }
  }
  const evicting: string[] = [];
  await Promise.all(
    nodes.map(async (node) => {
      try {
        const policy = (await node.config('GET', 'maxmemory-policy')) as string[];
        if (policy[1] && policy[1] !== 'noeviction') evicting.push(`${nodeName(node)} ${policy[1]}`);
      } catch {
        // Managed Redis often forbids CONFIG; the check is advisory.
      }
    }),
  );
  if (evicting.length === 0) return {};
  const what = isCluster(redis)
    ? `Redis Cluster masters have another maxmemory-policy (${evicting.sort().join(', ')})`
    : `Redis maxmemory-policy is ${(evicting[0] as string).split(' ')[1]}`;
  return { evictionWarning: `${what}; BullMQ needs noeviction` };
}
