// Baseline (a): the AssemblyAI topic-tagging guide's script. One file at a time: submit,
// check every 3 s until done, ask the LLM Gateway for the topic, next file.
import { type CallCounts, transcribeAndTag } from './api.ts';

/** Runs the guide's loop over `urls`; `pollMs` is 3 emulated seconds in real ms. */
export async function runGuideScript(
  base: string,
  urls: string[],
  pollMs: number,
): Promise<{ ms: number; completed: number; counts: CallCounts; audioSeconds: number }> {
  const counts: CallCounts = { retries: 0 };
  const started = performance.now();
  let completed = 0;
  let audioSeconds = 0;
  for (const url of urls) {
    const r = await transcribeAndTag(base, url, pollMs, counts);
    if (r.status === 'completed') completed++;
    audioSeconds += r.audioDuration ?? 0;
  }
  return { ms: performance.now() - started, completed, counts, audioSeconds };
}
