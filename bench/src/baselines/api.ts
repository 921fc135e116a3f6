// The few AssemblyAI calls the baselines make, written the way a quick script would: fetch,
// JSON, the raw key in `authorization`, and a retry on 429/5xx so a baseline is not
// penalised for a transient error.
import { MEDIA_TAXONOMY } from '@mediatag/emulator/samples';

const KEY = 'emulator-key';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Counts what a baseline saw, beside the emulator's own stats. */
export interface CallCounts {
  retries: number;
}

async function call(
  base: string,
  path: string,
  init: { method: string; body?: unknown },
  counts: CallCounts,
  retryMs: number,
): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: init.method,
        headers: { authorization: KEY, 'content-type': 'application/json' },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    } catch (error) {
      if (attempt >= 20) throw error;
      counts.retries++;
      await sleep(retryMs);
      continue;
    }
    const body = (await res.json()) as Record<string, unknown>;
    if (res.ok) return body;
    if ((res.status === 429 || res.status >= 500) && attempt < 20) {
      counts.retries++;
      const after = Number(res.headers.get('retry-after') ?? 0);
      await sleep(Math.max(retryMs, after * 1000));
      continue;
    }
    throw new Error(`${init.method} ${path}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  }
}

/** POST /v2/transcript; returns the id. */
export async function submit(
  base: string,
  audioUrl: string,
  counts: CallCounts,
  retryMs: number,
): Promise<string> {
  const t = await call(
    base,
    '/v2/transcript',
    { method: 'POST', body: { audio_url: audioUrl, speech_models: ['universal-3-pro'] } },
    counts,
    retryMs,
  );
  return String(t.id);
}

/** GET /v2/transcript/:id; returns the status and, once completed, the audio duration. */
export async function status(
  base: string,
  id: string,
  counts: CallCounts,
  retryMs: number,
): Promise<{ status: string; audioDuration: number | null }> {
  const t = await call(base, `/v2/transcript/${id}`, { method: 'GET' }, counts, retryMs);
  return {
    status: String(t.status),
    audioDuration: typeof t.audio_duration === 'number' ? t.audio_duration : null,
  };
}

const PROMPT = `Classify the transcript into exactly one of these topics. Answer with the topic name only.

${Object.entries(MEDIA_TAXONOMY)
  .map(([tag, description]) => `- ${tag}: ${description}`)
  .join('\n')}

Transcript:
{{ transcript }}`;

/** POST /v1/chat/completions with transcript_id, as the guide does; returns the answer. */
export async function tag(base: string, id: string, counts: CallCounts, retryMs: number): Promise<string> {
  const r = await call(
    base,
    '/v1/chat/completions',
    {
      method: 'POST',
      body: {
        model: 'claude-sonnet-4-5-20250929',
        messages: [{ role: 'user', content: PROMPT }],
        transcript_id: id,
        max_tokens: 50,
      },
    },
    counts,
    retryMs,
  );
  const choices = r.choices as { message?: { content?: string } }[] | undefined;
  return choices?.[0]?.message?.content ?? '';
}

/** Submit, then check every `pollMs` until final (the SDK's transcribe(): check at once, then every 3 s). */
export async function transcribeAndTag(
  base: string,
  audioUrl: string,
  pollMs: number,
  counts: CallCounts,
): Promise<{ status: string; topic: string | null; audioDuration: number | null }> {
  const id = await submit(base, audioUrl, counts, pollMs);
  let s = await status(base, id, counts, pollMs);
  while (s.status === 'queued' || s.status === 'processing') {
    await sleep(pollMs);
    s = await status(base, id, counts, pollMs);
  }
  if (s.status !== 'completed') return { ...s, topic: null };
  return { ...s, topic: (await tag(base, id, counts, pollMs)).trim() };
}
