import type { S3Settings } from './client.ts';

/** The environment variables the S3 settings come from (the parsed env of any mediatag program). */
export interface S3Env {
  AWS_ENDPOINT_URL_S3?: string | undefined;
  AWS_ENDPOINT_URL?: string | undefined;
  AWS_REGION?: string | undefined;
  AWS_DEFAULT_REGION?: string | undefined;
  AWS_PROFILE?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  AWS_SESSION_TOKEN?: string | undefined;
}

/**
 * S3 settings from the parsed environment. Static keys are used only as a pair; without
 * them (or a region) the SDK's own chain decides: shared config and profiles, SSO, web
 * identity, container and instance roles.
 */
export function s3SettingsFromEnv(env: S3Env): S3Settings {
  const keys =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  return {
    endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    profile: env.AWS_PROFILE,
    credentials: keys,
  };
}

/** The secrets among these variables, for the logger to mask wherever they appear. */
export function s3Secrets(env: S3Env): string[] {
  return [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter((s): s is string => Boolean(s));
}
