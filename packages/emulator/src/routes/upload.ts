import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import { sendError, sendJson } from '../core/http-io.ts';

/**
 * POST /v2/upload: the body is streamed through sha256 and counted, never buffered, so a
 * multi-GB upload costs no memory. The digest later seeds the "transcribed" text.
 */
export function handleUpload(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): void {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => {
    if (bytes === 0) {
      sendError(
        res,
        400,
        'Upload failed: the request body is empty. Send the raw audio bytes as application/octet-stream.',
      );
      return;
    }
    const id = randomUUID();
    ctx.uploads.set(id, { id, bytes, sha256: hash.digest('hex') });
    ctx.stats.count.uploads++;
    ctx.stats.count.uploadBytes += bytes;
    sendJson(res, 200, { upload_url: `${ctx.baseUrl()}/cdn/upload/${id}` });
  });
}
