// REDIS_URL names either one Redis (redis:// or rediss://, handed to ioredis as is) or a
// Redis Cluster by its seed nodes: redis+cluster://[user:password@]host:port[,host:port…]
// (rediss+cluster:// for TLS). WHATWG URL cannot hold several hosts, hence this parser.

/** One seed node of a cluster. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Where Redis is: one server, or a cluster reached through its seed nodes. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean };

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/i;

/** True for a `redis+cluster://` or `rediss+cluster://` URL. */
export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

function parseNode(text: string): RedisNode | undefined {
  // [v6]:port for IPv6, host:port otherwise; the port is required (clusters rarely use 6379 alone).
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

/**
 * Parses REDIS_URL; undefined when it is neither form. The result never goes into an error
 * message as a whole (the password would leak): callers name hosts only.
 */
export function parseRedisUrl(url: string): RedisTarget | undefined {
  const cluster = CLUSTER_SCHEME.exec(url);
  if (!cluster) {
    try {
      return ['redis:', 'rediss:'].includes(new URL(url).protocol) ? { kind: 'single', url } : undefined;
    } catch {
      return undefined;
    }
  }
  let rest = cluster[2] as string;
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    try {
      username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon)) || undefined;
      password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1)) || undefined;
    } catch {
      return undefined;
    }
  }
  // A trailing slash (or /0) is tolerated; a cluster has only database 0.
  rest = rest.replace(/\/0?$/, '');
  const nodes = rest.split(',').map((part) => parseNode(part.trim()));
  if (nodes.length === 0 || nodes.some((n) => n === undefined)) return undefined;
  return {
    kind: 'cluster',
    nodes: nodes as RedisNode[],
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    tls: (cluster[1] as string).toLowerCase() === 'rediss',
  };
}

/** "host:port" of each node, for messages (never the credentials). */
export function describeRedisUrl(url: string): string {
  const target = parseRedisUrl(url);
  if (!target) return '(unparseable URL)';
  if (target.kind === 'cluster') {
    return `cluster ${target.nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',')}`;
  }
  const u = new URL(target.url);
  return `${u.hostname}:${u.port || 6379}`;
}

/** The hash tag Redis Cluster hashes a key by: the text between the first `{` and the next `}`, if not empty. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close <= open + 1) return undefined;
  return key.slice(open + 1, close);
}
