import { readFile } from 'node:fs/promises';
import { FatalError, UsageError } from '@mediatag/errors';
import { type Dispatcher, errors, MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type FeedOptions, type FeedRecord, feedEpisodes } from './feed.ts';

const ORIGIN = 'https://feeds.example.com';
const RSS = await readFile(new URL('./fixtures/podcast-rss.xml', import.meta.url), 'utf8');

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function mockAgent() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  return { agent, origin: agent.get(ORIGIN) };
}

async function collect(source: string, options: FeedOptions): Promise<FeedRecord[]> {
  const out: FeedRecord[] = [];
  for await (const record of feedEpisodes(source, options)) out.push(record);
  return out;
}

async function failure(source: string, options: FeedOptions): Promise<Error> {
  try {
    await collect(source, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${source} to fail`);
}

/**
 * MockAgent answers with one buffer; this interceptor follows the mocked body with up to
 * `total` bytes of `chunk`, sent as the client asks for them (pause/resume), like a server
 * streaming a feed that never ends. `sent()` tells how much went out before the client quit.
 */
function streamedBody(chunk: Buffer, total: number) {
  let sent = 0;
  let controller: Dispatcher.DispatchController | undefined;
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    let paused = false;
    const pump = () => {
      while (controller && !controller.aborted && !paused && sent < total) {
        sent += chunk.length;
        handler.onResponseData?.(controller, chunk);
      }
      if (controller && !controller.aborted && sent >= total) handler.onResponseEnd?.(controller, {});
    };
    return dispatch(opts, {
      onRequestStart(inner, context) {
        controller = {
          get aborted() {
            return inner.aborted;
          },
          get paused() {
            return paused;
          },
          get reason() {
            return inner.reason;
          },
          abort: (reason) => inner.abort(reason),
          pause: () => {
            paused = true;
          },
          resume: () => {
            if (!paused) return;
            paused = false;
            setImmediate(pump);
          },
        };
        handler.onRequestStart?.(controller, context);
      },
      onResponseStart(_inner, status, headers, message) {
        if (controller) handler.onResponseStart?.(controller, status, headers, message);
      },
      // The mocked reply is the head of the stream; the pump sends the rest.
      onResponseData(_inner, data) {
        sent += data.length;
        if (controller) handler.onResponseData?.(controller, data);
      },
      onResponseEnd() {
        setImmediate(pump);
      },
      onResponseError(_inner, error) {
        if (controller) handler.onResponseError?.(controller, error);
      },
    });
  };
  return { interceptor, sent: () => sent, aborted: () => controller?.aborted === true };
}

// An endless feed: a channel header, then the same item forever.
const HEADER = Buffer.from('<rss><channel><title>Endless</title>');
const ITEM = Buffer.from(
  `${'<item><title>Again</title><enclosure url="https://media.example.org/a.mp3" type="audio/mpeg"/></item>'.repeat(160)}`,
);

describe('feedEpisodes over HTTP', () => {
  it('follows a redirect and reports the final URL as the feed URL', async () => {
    const { agent, origin } = mockAgent();
    origin
      .intercept({ path: '/old.xml', method: 'GET' })
      .reply(301, '', { headers: { location: '/tidepool.xml' } });
    origin.intercept({ path: '/tidepool.xml', method: 'GET' }).reply(200, RSS, {
      headers: { 'content-type': 'application/rss+xml' },
    });
    const records = await collect(`${ORIGIN}/old.xml`, { maxBytes: 1_000_000, dispatcher: agent });
    expect(records).toHaveLength(8);
    expect(records[0]).toMatchObject({
      kind: 'episode',
      url: 'https://media.example.org/tidepool/001.mp3',
      feedUrl: `${ORIGIN}/tidepool.xml`,
      feedTitle: 'The Tidepool Hour',
      origin: { source: `${ORIGIN}/old.xml`, line: 1 },
    });
    agent.assertNoPendingInterceptors();
  });

  it.each(['file:///etc/passwd', 'ftp://feeds.example.com/feed.xml'])(
    'refuses a redirect to %s',
    async (target) => {
      const { agent, origin } = mockAgent();
      origin
        .intercept({ path: '/feed.xml', method: 'GET' })
        .reply(302, '', { headers: { location: target } });
      const error = await failure(`${ORIGIN}/feed.xml`, { maxBytes: 1_000_000, dispatcher: agent });
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toContain(`refused redirect to ${target}: unsupported scheme`);
    },
  );

  it('gives up after maxRedirects', async () => {
    const { agent, origin } = mockAgent();
    origin
      .intercept({ path: '/loop.xml', method: 'GET' })
      .reply(307, '', { headers: { location: `${ORIGIN}/loop.xml` } })
      .times(3);
    const error = await failure(`${ORIGIN}/loop.xml`, {
      maxBytes: 1_000_000,
      maxRedirects: 2,
      dispatcher: agent,
    });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${ORIGIN}/loop.xml: more than 2 redirects`);
  });

  it('names the URL and status of a failed response', async () => {
    const { agent, origin } = mockAgent();
    origin.intercept({ path: '/missing.xml', method: 'GET' }).reply(404, 'Not Found');
    const error = await failure(`${ORIGIN}/missing.xml`, { maxBytes: 1_000_000, dispatcher: agent });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${ORIGIN}/missing.xml: HTTP 404`);
  });

  it('reports a network failure as a runtime failure, not bad input', async () => {
    const { agent, origin } = mockAgent();
    origin.intercept({ path: '/down.xml', method: 'GET' }).replyWithError(new Error('connect ECONNREFUSED'));
    const error = await failure(`${ORIGIN}/down.xml`, { maxBytes: 1_000_000, dispatcher: agent });
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toBe(`feed ${ORIGIN}/down.xml: connect ECONNREFUSED`);
  });

  it('reports a timeout with the limit that was hit', async () => {
    const { agent, origin } = mockAgent();
    // MockAgent does not run undici's timers; this is the error they raise.
    origin.intercept({ path: '/slow.xml', method: 'GET' }).replyWithError(new errors.HeadersTimeoutError());
    const error = await failure(`${ORIGIN}/slow.xml`, { maxBytes: 1000, timeoutMs: 250, dispatcher: agent });
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toBe(`feed ${ORIGIN}/slow.xml: no answer within 250 ms`);
  });

  it('refuses up front a response whose Content-Length is over the cap', async () => {
    const { agent, origin } = mockAgent();
    // The body itself is small: only the announced length can trip the cap.
    origin
      .intercept({ path: '/big.xml', method: 'GET' })
      .reply(200, '<rss/>', { headers: { 'content-length': '5000000' } });
    const error = await failure(`${ORIGIN}/big.xml`, { maxBytes: 1000, dispatcher: agent });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${ORIGIN}/big.xml is larger than 1000 bytes`);
  });

  it('stops reading a response that keeps streaming once the cap is passed', async () => {
    const { agent, origin } = mockAgent();
    origin.intercept({ path: '/endless.xml', method: 'GET' }).reply(200, HEADER);
    const body = streamedBody(ITEM, 1024 ** 3);
    const maxBytes = 256 * 1024;
    let episodes = 0;
    const error = await (async () => {
      try {
        for await (const r of feedEpisodes(`${ORIGIN}/endless.xml`, {
          maxBytes,
          dispatcher: agent.compose(body.interceptor),
        })) {
          if (r.kind === 'episode') episodes += 1;
        }
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected the endless feed to fail');
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${ORIGIN}/endless.xml is larger than ${maxBytes} bytes`);
    // Items were parsed as they arrived, and the server was stopped within a buffer of the cap.
    expect(episodes).toBeGreaterThan(1000);
    expect(body.sent()).toBeLessThan(maxBytes + 512 * 1024);
  });

  it('aborts the download when the caller stops early', async () => {
    const { agent, origin } = mockAgent();
    origin.intercept({ path: '/endless.xml', method: 'GET' }).reply(200, HEADER);
    const body = streamedBody(ITEM, 1024 ** 3);
    const iterator = feedEpisodes(`${ORIGIN}/endless.xml`, {
      maxBytes: 1024 ** 3,
      dispatcher: agent.compose(body.interceptor),
    });
    const first = await iterator.next();
    expect(first.value).toMatchObject({ kind: 'episode', title: 'Again', feedTitle: 'Endless' });
    await iterator.return(undefined);
    const sentAtStop = body.sent();
    // The download is cancelled, not paused: a pump already scheduled (setImmediate) sends nothing.
    await new Promise((r) => setImmediate(r));
    expect(body.aborted()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(body.sent()).toBe(sentAtStop);
    expect(sentAtStop).toBeLessThan(1024 * 1024);
  });
});
