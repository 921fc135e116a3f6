import { DrizzleQueryError } from 'drizzle-orm';

/**
 * The driver's own error under drizzle's `DrizzleQueryError`, whose message is the whole
 * statement and its parameters ("Failed query: …\nparams: …"): not a line for a user, and
 * without pg's SQLSTATE `code`. Anything else is returned as it is.
 */
export function queryErrorCause(error: unknown): unknown {
  return error instanceof DrizzleQueryError && error.cause !== undefined ? error.cause : error;
}
