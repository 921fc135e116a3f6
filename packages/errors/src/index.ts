/** Turns anything thrown into an Error, keeping the original as `cause` when it was not one. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return new Error(text, { cause: value });
}

/** Bad command line, file or input: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** A runtime failure with a one-line message meant for the user (no stack): exit 1. */
export class FatalError extends Error {
  override readonly name = 'FatalError';
  readonly exitCode = 1;
}
