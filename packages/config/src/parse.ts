import type { z } from 'zod';

/** The environment is unusable: the message names the variable and the reason, on one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly exitCode = 1;
}

/**
 * Parses an environment record with a zod object schema. Empty strings count as unset, so
 * `FOO=` in a .env file falls back to the default instead of failing validation.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
}
