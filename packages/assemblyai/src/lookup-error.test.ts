import { BadRequestError, errorFromResponse, NotFoundError } from '@mediatag/http';
import { describe, expect, it } from 'vitest';
import { LOOKUP_ERROR } from './lookup-error.ts';

const ctx = { method: 'GET', path: '/v2/transcript/x', notFound: LOOKUP_ERROR };

describe('LOOKUP_ERROR', () => {
  it('maps production 400 lookup errors to NotFoundError', () => {
    const err = errorFromResponse(
      ctx,
      400,
      {},
      '{"error":"Transcript lookup error, transcript id not found"}',
    );
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('E_NOT_FOUND');
  });

  it('leaves any other 400 a BadRequestError', () => {
    const err = errorFromResponse(ctx, 400, {}, '{"error":"format_text must be a Boolean"}');
    expect(err).toBeInstanceOf(BadRequestError);
  });
});
