import { describe, expect, it } from 'vitest';
import { ConfigError, cliEnvSchema, describeRedisUrl, hashTagOf, parseEnv, parseRedisUrl } from './index.ts';

describe('parseEnv', () => {
  it('fills every default from an empty environment', () => {
    const env = parseEnv(cliEnvSchema, {});
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/mediatag');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.ASSEMBLYAI_BASE_URL).toBe('https://api.assemblyai.com');
    expect(env.LLM_GATEWAY_URL).toBe('https://llm-gateway.assemblyai.com');
    expect(env.LLM_MODEL).toBe('claude-sonnet-4-5-20250929');
    expect(env.SPEECH_MODELS).toEqual(['universal-3-pro']);
    expect(env.MAX_IN_FLIGHT).toBe(200);
    expect(env.WEBHOOK_BASE_URL).toBeUndefined();
    expect(env.ASSEMBLYAI_API_KEY).toBeUndefined();
  });

  it('treats an empty value as unset', () => {
    expect(parseEnv(cliEnvSchema, { MAX_IN_FLIGHT: '' }).MAX_IN_FLIGHT).toBe(200);
  });

  it('splits SPEECH_MODELS on commas', () => {
    expect(parseEnv(cliEnvSchema, { SPEECH_MODELS: 'universal-3-pro, universal-2' }).SPEECH_MODELS).toEqual([
      'universal-3-pro',
      'universal-2',
    ]);
  });

  it.each([
    ['MAX_IN_FLIGHT', '12abc', /MAX_IN_FLIGHT: must be a positive integer/],
    ['MAX_IN_FLIGHT', '0', /MAX_IN_FLIGHT: must be a positive integer/],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL: must be a postgres URL/],
    ['REDIS_URL', 'not a url', /REDIS_URL: must be a redis URL/],
    ['LLM_GATEWAY_URL', 'ftp://x', /LLM_GATEWAY_URL: must be a http\(s\) URL/],
    ['LOG_PRETTY', 'maybe', /LOG_PRETTY: must be 1\/0/],
  ])('rejects %s=%s with one line naming it', (name, value, pattern) => {
    let error: unknown;
    try {
      parseEnv(cliEnvSchema, { [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });

  it('never echoes a malformed URL that may carry a password', () => {
    expect(() => parseEnv(cliEnvSchema, { DATABASE_URL: 'mysql://u:s3cret@h/db' })).toThrow(
      /^(?!.*s3cret).*$/,
    );
  });
});

describe('cross-field rules', () => {
  it('needs WEBHOOK_SECRET with WEBHOOK_BASE_URL, and dashboard credentials in pairs', () => {
    expect(() => parseEnv(cliEnvSchema, { WEBHOOK_BASE_URL: 'https://hooks.example.com' })).toThrow(
      /WEBHOOK_SECRET: is required when WEBHOOK_BASE_URL is set/,
    );
    expect(
      parseEnv(cliEnvSchema, {
        WEBHOOK_BASE_URL: 'https://hooks.example.com',
        WEBHOOK_SECRET: 'x'.repeat(16),
      }).WEBHOOK_AUTH_HEADER,
    ).toBe('x-mediatag-webhook-secret');
    expect(() => parseEnv(cliEnvSchema, { DASHBOARD_USER: 'admin' })).toThrow(/go together/);
    expect(parseEnv(cliEnvSchema, { PRICE_PER_AUDIO_HOUR: '0.15' }).PRICE_PER_AUDIO_HOUR).toBe(0.15);
    expect(() => parseEnv(cliEnvSchema, { PRICE_PER_AUDIO_HOUR: '-1' })).toThrow(/PRICE_PER_AUDIO_HOUR/);
  });

  it("reads serve's metrics and deadline settings, with bounds", () => {
    const defaults = parseEnv(cliEnvSchema, {});
    expect(defaults).toMatchObject({ METRICS_CACHE_S: 15, REQUEST_DEADLINE_MS: 10_000 });
    expect(defaults.METRICS_TOKEN).toBeUndefined();
    expect(parseEnv(cliEnvSchema, { METRICS_CACHE_S: '10' }).METRICS_CACHE_S).toBe(10);
    expect(() => parseEnv(cliEnvSchema, { METRICS_CACHE_S: '1' })).toThrow(
      /METRICS_CACHE_S: must be 10 to 15/,
    );
    expect(() => parseEnv(cliEnvSchema, { METRICS_CACHE_S: '60' })).toThrow(/METRICS_CACHE_S/);
    expect(() => parseEnv(cliEnvSchema, { REQUEST_DEADLINE_MS: '100' })).toThrow(/REQUEST_DEADLINE_MS/);
    expect(() => parseEnv(cliEnvSchema, { METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN: must be at least 16/,
    );
    expect(parseEnv(cliEnvSchema, { METRICS_TOKEN: 't'.repeat(16) }).METRICS_TOKEN).toBe('t'.repeat(16));
  });
});

describe('Redis Cluster settings', () => {
  it('reads a cluster URL: seed nodes, credentials and TLS', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,cache.example.com:7001,[::1]:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'cache.example.com', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss@h1:6379,h2:6379/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'h1', port: 6379 },
        { host: 'h2', port: 6379 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379',
    });
    for (const bad of [
      'redis+cluster://',
      'redis+cluster://h1',
      'redis+cluster://h1:7000,',
      'redis+cluster://h:99999',
    ]) {
      expect(parseRedisUrl(bad), bad).toBeUndefined();
    }
    expect(describeRedisUrl('redis+cluster://u:s3cret@h1:7000,h2:7001')).toBe('cluster h1:7000,h2:7001');
  });

  it('accepts a QUEUE_PREFIX with one leading hash tag and refuses other braces', () => {
    expect(parseEnv(cliEnvSchema, { QUEUE_PREFIX: '{mediatag}' }).QUEUE_PREFIX).toBe('{mediatag}');
    expect(parseEnv(cliEnvSchema, { QUEUE_PREFIX: '{mediatag}-eu' }).QUEUE_PREFIX).toBe('{mediatag}-eu');
    for (const bad of ['{}', 'a{b}', '{a}{b}', '{a', 'a}', '{a:b}', '{{a}}']) {
      expect(() => parseEnv(cliEnvSchema, { QUEUE_PREFIX: bad }), bad).toThrow(
        /QUEUE_PREFIX: may hold only letters, digits, _ and -, optionally starting with one \{hash tag\}/,
      );
    }
    expect(hashTagOf('{mediatag}-eu:mediatag:inflight')).toBe('mediatag');
    expect(hashTagOf('mediatag:inflight')).toBeUndefined();
  });

  it('on a cluster, refuses a prefix without a hash tag with one line saying what to set', () => {
    const cluster = 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001';
    let error: unknown;
    try {
      parseEnv(cliEnvSchema, { REDIS_URL: cluster });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'invalid environment: QUEUE_PREFIX: must start with a {hash tag} on a Redis Cluster, e.g. QUEUE_PREFIX={mediatag}',
    );
    const env = parseEnv(cliEnvSchema, { REDIS_URL: cluster, QUEUE_PREFIX: '{mediatag}' });
    expect(env).toMatchObject({ REDIS_URL: cluster, QUEUE_PREFIX: '{mediatag}' });
    expect(() => parseEnv(cliEnvSchema, { REDIS_URL: 'redis+cluster://u:s3cret@h1' })).toThrow(
      /^(?!.*s3cret)invalid environment: REDIS_URL: must be a redis URL/,
    );
  });
});

describe('.env.example', () => {
  it('lists every variable the programs read', async () => {
    const { readFile } = await import('node:fs/promises');
    const { apiEnv, baseEnv, serveEnv } = await import('./schemas.ts');
    const text = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const listed = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys({ ...baseEnv, ...apiEnv, ...serveEnv }).sort());
  });
});
