// packages/queue owns every job and every Redis key: a job added, or a key spelled, anywhere
// else would escape the catalog's deterministic ids and the registry's fixed names. This
// reads the sources of apps/ and packages/ and names each place that breaks the rule.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const OWNER = 'packages/queue/';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const FILES = ['apps', 'packages']
  .flatMap((dir) => sources(join(ROOT, dir)))
  .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))
  .filter((f) => !f.path.startsWith(OWNER));

/** `file:line: text` of every line matching one of `patterns`. */
function offenders(patterns: RegExp[], files = FILES): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    text.split('\n').forEach((line, i) => {
      if (patterns.some((p) => p.test(line))) found.push(`${path}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

// A BullMQ Queue's add/addBulk: every job name is a catalog queue name, and every add passes a
// jobId; a Set's or a writer's `.add(x)` has neither. Nor may a Queue be made elsewhere.
const JOB_ADDS = [
  /\.addBulk\(/,
  /\.add\(\s*['"`](transcribe|poll|tag)['"`]/,
  /\.add\([^)]*\bjobId\b/,
  /\bnew Queue\b/,
];

// mediatag's key names, spelled out: `${x}:mediatag…`, ':inflight', `${p}:rate:llm:${m}`, …
const KEY_SPELLINGS = [
  /[}'"`]:mediatag\b/,
  /[}'"`]:(inflight|epoch|reconcile-lock|sweep-lock|cap-full|metrics|limiter)\b/,
  /[}'"`]:(rate|health):/,
];

// Literals that look like keys but are not built to reach Redis.
const NOT_KEYS = new Set([
  // hashTagOf's own test reads a tag out of a sample key name; nothing reaches Redis.
  'packages/config/src/parse.test.ts',
]);

describe('packages/queue owns every job and key', () => {
  it('the scan sees the sources it guards', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES.some((f) => f.path === 'apps/cli/src/enqueue/writer.ts')).toBe(true);
    // The patterns catch the adds this package replaced.
    expect(
      offenders(JOB_ADDS, [
        { path: 'x.ts', text: "await deps.queues.poll.add('poll', data, { jobId: jobIds.poll(data) });" },
        { path: 'y.ts', text: 'await deps.queues.tag.addBulk(jobs);' },
        { path: 'z.ts', text: 'seen.add(url); await writer.add(rec.url, { source });' },
      ]),
    ).toEqual([
      "x.ts:1: await deps.queues.poll.add('poll', data, { jobId: jobIds.poll(data) });",
      'y.ts:1: await deps.queues.tag.addBulk(jobs);',
    ]);
    expect(
      offenders(KEY_SPELLINGS, [
        {
          path: 'k.ts',
          text: "redis.zcard(prefix + ':inflight'); new RateBudget(r, own + ':rate:llm:' + m);",
        },
        { path: 'l.ts', text: "const cut = line.split(':'); map.get(host + ':' + pid);" },
      ]),
    ).toEqual(["k.ts:1: redis.zcard(prefix + ':inflight'); new RateBudget(r, own + ':rate:llm:' + m);"]);
  });

  it('no job is added outside packages/queue (use addJobs, ensureJobs, schedulePoll, wakePoll, wakeJobs)', () => {
    expect(offenders(JOB_ADDS)).toEqual([]);
  });

  it('no Redis key is spelled outside packages/queue (use redisKeys)', () => {
    expect(
      offenders(
        KEY_SPELLINGS,
        FILES.filter((f) => !NOT_KEYS.has(f.path)),
      ),
    ).toEqual([]);
  });
});
