import { describe, expect, it } from 'vitest';
import { FatalError, toError, UsageError } from './index.ts';

describe('toError', () => {
  it('keeps Errors, wraps strings, and describes other values', () => {
    const e = new RangeError('x');
    expect(toError(e)).toBe(e);
    expect(toError('boom').message).toBe('boom');
    const wrapped = toError({ code: 7 });
    expect(wrapped.message).toBe('{"code":7}');
    expect(wrapped.cause).toEqual({ code: 7 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toError(circular).message).toBe('[object Object]');
  });

  it('carries the exit codes the CLI uses', () => {
    expect(new UsageError('bad').exitCode).toBe(2);
    expect(new FatalError('down').exitCode).toBe(1);
  });
});
