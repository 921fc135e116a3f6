import { rm, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { evalAnswers, evalRuns } from '@mediatag/db';
import { SAMPLES } from '@mediatag/emulator/samples';
import { createRedis, redisKeys } from '@mediatag/queue';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvalReport } from './eval/report.ts';
import { type Harness, sampleCopies, startHarness } from './harness.ts';
import { main } from './main.ts';

const media = SAMPLES.filter((s) => s.taxonomy === 'media');
const expected = new Map(SAMPLES.map((s) => [s.id, s.expectedTopic]));
const idOf = (url: string) => /\/samples\/([\w-]+)\.mp3/.exec(url)?.[1] ?? '';

let h: Harness | undefined;
const files: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const f of files.splice(0)) await rm(f, { force: true });
});

/** Every row of tagged_files (all batches), to prove an eval changed none of them. */
async function taggedSnapshot(harness: Harness) {
  const { rows } = await harness.db.pool.query('SELECT * FROM tagged_files ORDER BY batch, media_file_id');
  const { rows: results } = await harness.db.pool.query(
    'SELECT * FROM tag_results ORDER BY media_file_id, taxonomy_id',
  );
  return JSON.stringify({ rows, results });
}

async function goldFile(harness: Harness, lines: string[]): Promise<string> {
  const path = `/tmp/${harness.db.name}-gold-${files.length}.csv`;
  await writeFile(path, `url,topic\n${lines.join('\n')}\n`);
  files.push(path);
  return path;
}

async function evalJson(harness: Harness, args: string[]): Promise<EvalReport> {
  const run = await harness.cli(['eval', ...args, '--yes', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as EvalReport;
}

/** Transcribes and tags `urls` into `batch` with the workers, then leaves them idle. */
async function tagged(harness: Harness, batch: string, urls: string[]) {
  await harness.cli(['enqueue', '-', '--batch', batch], urls.join('\n'));
  await harness.startWorkers();
  await harness.waitFinal(batch);
}

describe('mediatag eval (real Postgres and Redis, emulator as AssemblyAI and gateway)', () => {
  it('scores hand labels one file per request and batched, re-uses stored answers, never touches results', async () => {
    h = await startHarness({ emulator: { faults: { batchItemFaultRate: 0 } } });
    const urls = media.map((s) => `${h?.emulator.url}/samples/${s.id}.mp3`);
    await tagged(h, 'media', urls);
    const before = await taggedSnapshot(h);
    const gold = await goldFile(h, [
      ...urls.map((u) => `${u},${expected.get(idOf(u))}`),
      `${h.emulator.url}/samples/never-enqueued.mp3,Sports`,
    ]);
    const calls0 = h.emulator.stats().gatewayCalls;
    const configs = ['--config', 'one=TAG_BATCH_SIZE=1', '--config', 'batched=TAG_BATCH_SIZE=10'];

    // Without a terminal and without --yes nothing is sent.
    const refused = await h.cli(['eval', '--labels', gold, '--taxonomy', 'media', ...configs]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/eval will send about 33 gateway requests/);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect(h.emulator.stats().gatewayCalls).toBe(calls0);
    // On a terminal it asks; anything but yes sends nothing.
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = new PassThrough();
    const said: Buffer[] = [];
    stderr.on('data', (c: Buffer) => said.push(c));
    tty.end('n\n');
    const declined = await main(['eval', '--labels', gold, '--taxonomy', 'media', ...configs], h.env, {
      stdin: tty,
      stdout: new PassThrough(),
      stderr,
    });
    expect(declined).toBe(2);
    expect(Buffer.concat(said).toString()).toMatch(/continue\? \[y\/N\][\s\S]*cancelled: nothing was sent/);
    expect(h.emulator.stats().gatewayCalls).toBe(calls0);

    const report = await evalJson(h, ['--labels', gold, '--taxonomy', 'media', ...configs]);
    expect(report.files).toBe(30);
    expect(report.skipped).toEqual([
      { file: `${h.emulator.url}/samples/never-enqueued.mp3`, reason: expect.stringMatching(/not known/) },
    ]);
    for (const c of report.configs) {
      expect(c.labels?.accuracy, c.name).toBe(1);
      expect(c.labels?.wrong).toEqual([]);
      expect(c.unmatched).toBe(0);
      expect(c.failed).toEqual([]);
      expect(c.tokensPerFile).toBeGreaterThan(0);
      for (const t of c.labels?.perTag ?? [])
        if (t.support > 0) expect(t, t.tag).toMatchObject({ precision: 1, recall: 1, f1: 1 });
      const { labels, counts } = c.labels?.confusion ?? { labels: [], counts: [] };
      counts.forEach((row, i) => {
        expect(row.reduce((a, b) => a + b, 0)).toBe(row[i]);
      });
      expect(counts.reduce((s, row, i) => s + (row[i] ?? 0), 0)).toBe(30);
      expect(labels.length).toBe(15);
    }
    const [one, batched] = report.configs;
    // One request per file alone; three requests of 10 batched.
    expect(one?.thisRun.requests).toBe(30);
    expect(batched?.thisRun.requests).toBe(3);
    expect(batched?.requestsPerFile).toBeCloseTo(0.1, 6);
    expect(h.emulator.stats().gatewayCalls - calls0).toBe(33);
    expect(h.emulator.stats().gatewayBatchedItems).toBe(30);
    expect(report.agreement[0]).toMatchObject({ a: 'one', b: 'batched', files: 30, agree: 30, kappa: 1 });
    expect(await taggedSnapshot(h)).toBe(before);

    const { rows: runs } = await h.db.pool.query(
      `SELECT r.config_name, r.mode, r.requests, count(a.*)::int AS answers, count(*) FILTER (WHERE a.topic = a.expected)::int AS right
         FROM eval_runs r JOIN eval_answers a ON a.run_id = r.id GROUP BY r.id ORDER BY r.id`,
    );
    expect(runs).toEqual([
      { config_name: 'one', mode: 'labels', requests: 30, answers: 30, right: 30 },
      { config_name: 'batched', mode: 'labels', requests: 3, answers: 30, right: 30 },
    ]);

    // The drizzle mirror reads the same rows.
    const typed = await h.db.db.select().from(evalRuns);
    expect(typed.map((r) => [r.configName, r.mode, r.files, r.overrides])).toEqual([
      ['one', 'labels', 30, { TAG_BATCH_SIZE: '1' }],
      ['batched', 'labels', 30, { TAG_BATCH_SIZE: '10' }],
    ]);
    expect(await h.db.db.$count(evalAnswers)).toBe(60);

    // The same configurations again: every answer re-used, nothing asked.
    const again = await evalJson(h, ['--labels', gold, '--taxonomy', 'media', ...configs]);
    expect(again.configs.map((c) => [c.reused, c.thisRun.requests, c.labels?.accuracy])).toEqual([
      [30, 0, 1],
      [30, 0, 1],
    ]);
    expect(h.emulator.stats().gatewayCalls - calls0).toBe(33);

    // Deliberately wrong labels: exactly those are errors, in the right cells; answers re-used.
    const wrong = new Map([
      [urls[0] as string, 'Travel'],
      [urls[1] as string, 'Travel'],
      [urls[2] as string, 'Culture'],
    ]);
    const bad = await goldFile(
      h,
      urls.map((u) => `${u},${wrong.get(u) ?? expected.get(idOf(u))}`),
    );
    const scored = await evalJson(h, [
      '--labels',
      bad,
      '--taxonomy',
      'media',
      '--config',
      'batched=TAG_BATCH_SIZE=10',
    ]);
    const m = scored.configs[0]?.labels;
    expect(m?.correct).toBe(27);
    expect(m?.accuracy).toBeCloseTo(0.9, 10);
    expect(new Map(m?.wrong.map((w) => [w.url, [w.expected, w.predicted]]))).toEqual(
      new Map([...wrong].map(([u, label]) => [u, [label, expected.get(idOf(u))]])),
    );
    const cell = (label: string, answer: string) => {
      const c = m?.confusion;
      return c?.counts[c.labels.indexOf(label)]?.[c.columns.indexOf(answer)];
    };
    for (const [u, label] of wrong)
      expect(cell(label, expected.get(idOf(u)) as string)).toBeGreaterThanOrEqual(1);
    const offDiagonal = m?.confusion.counts.reduce(
      (s, row, i) => s + row.reduce((a, b) => a + b, 0) - (row[i] ?? 0),
      0,
    );
    expect(offDiagonal).toBe(3);
    const travel = m?.perTag.find((t) => t.tag === 'Travel');
    const support = travel?.support ?? 0;
    expect(travel?.recall).toBeCloseTo((support - 2) / support, 10);
    expect(scored.configs[0]?.thisRun.requests).toBe(0);
    expect(h.emulator.stats().gatewayCalls - calls0).toBe(33);

    // --fresh asks again, and a damaged batched item is asked for alone: still all right.
    h.emulator.setFaults({ batchItemFaultRate: 0.3 });
    const fresh = await evalJson(h, [
      '--labels',
      gold,
      '--taxonomy',
      'media',
      '--config',
      'batched=TAG_BATCH_SIZE=10',
      '--fresh',
    ]);
    expect(fresh.configs[0]?.reused).toBe(0);
    expect(fresh.configs[0]?.labels?.accuracy).toBe(1);
    const extra = h.emulator.stats().gatewayCalls - calls0 - 33;
    expect(extra).toBe(fresh.configs[0]?.thisRun.requests);
    expect(extra).toBeGreaterThan(3);

    // The table a person reads.
    const table = await h.cli([
      'eval',
      '--labels',
      bad,
      '--taxonomy',
      'media',
      '--config',
      'batched=TAG_BATCH_SIZE=10',
      '--yes',
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^batched\s+30\s+90\.0%\s+0\.0%\s+0\s+\d+\s+\$[\d.]+\s+\d\.\d{3}\s+0\s+30$/m,
    );
    expect(table.stdout).toMatch(/confusion \(rows: label, columns: answer/);
    expect(table.stdout).toContain(`wrong (3):`);

    // Another excerpt size: a new excerpt cut from the whole text, read once per file (the
    // workers kept only the excerpt) for both configurations.
    const gets0 = h.emulator.stats().getsTotal;
    const cut = await evalJson(h, [
      '--labels',
      gold,
      '--taxonomy',
      'media',
      '--config',
      'x800=TAG_BATCH_SIZE=10,TAG_EXCERPT_TOKENS=800',
      '--config',
      'whole=TAG_BATCH_SIZE=10,TAG_EXCERPT_TOKENS=0',
    ]);
    expect(h.emulator.stats().getsTotal - gets0).toBe(30);
    expect(cut.configs.map((c) => [c.reused, c.excerptTokens, c.failed.length])).toEqual([
      [0, 800, 0],
      [0, 0, 0],
    ]);
    expect(cut.configs[1]?.labels?.accuracy).toBe(1);
    expect(cut.configs[0]?.tokensPerFile).toBeLessThan(cut.configs[1]?.tokensPerFile ?? 0);

    // The workers' own per-model budget: while it has nothing left, eval sends nothing.
    h.emulator.setFaults({ batchItemFaultRate: 0 });
    const redis = createRedis('redis://127.0.0.1:6379', 'worker');
    try {
      const key = redisKeys(h.prefix).llmRate('claude-sonnet-4-5-20250929');
      const [sec] = await redis.time();
      await redis.set(key, String(Number(sec) * 1000 + 3_600_000));
      const calls1 = h.emulator.stats().gatewayCalls;
      // Its stderr is watched as it runs: the budget is freed only once eval says it waits.
      const err = new PassThrough();
      let said = '';
      err.on('data', (c: Buffer) => {
        said += c.toString();
      });
      const waiting = main(
        ['eval', '--labels', gold, '--taxonomy', 'media', '--config', 'b3=TAG_BATCH_SIZE=3', '--yes'],
        h.env,
        { stdin: new PassThrough(), stdout: new PassThrough(), stderr: err },
      );
      let settled = false;
      void waiting.finally(() => {
        settled = true;
      });
      const notice = 'b3: waiting for the claude-sonnet-4-5-20250929 request budget';
      while (!said.includes(notice) && !settled) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(said).toContain(notice);
      expect(h.emulator.stats().gatewayCalls).toBe(calls1);
      await redis.del(key);
      expect(await waiting).toBe(0);
      expect(h.emulator.stats().gatewayCalls - calls1).toBe(10);
    } finally {
      redis.disconnect();
    }
    expect(await taggedSnapshot(h)).toBe(before);
  }, 180_000);

  it('without labels: finds the answers the gateway changed, within one file', async () => {
    h = await startHarness({ emulator: { faults: { batchItemFaultRate: 0 } } });
    const urls = sampleCopies(
      h.emulator.url,
      media.map((s) => s.id),
      3,
    );
    await tagged(h, 'archive', urls);
    const before = await taggedSnapshot(h);
    const sample = ['--batch', 'archive', '--sample', '60', '--seed', '7'];

    const agreed = await evalJson(h, [
      ...sample,
      '--config',
      'alone=TAG_BATCH_SIZE=1',
      '--config',
      'b10=TAG_BATCH_SIZE=10',
    ]);
    expect(agreed.files).toBe(60);
    expect(agreed.agreement[0]).toMatchObject({
      a: 'alone',
      b: 'b10',
      files: 60,
      agree: 60,
      kappa: 1,
      disagreements: [],
    });
    // Stratified by the current topic: all 15 topics of the batch are in the sample.
    const { rows: topics } = await h.db.pool.query(
      `SELECT count(DISTINCT f.topic)::int AS n FROM eval_answers a JOIN tagged_files f ON f.media_file_id = a.media_file_id
        WHERE a.run_id = (SELECT max(id) FROM eval_runs)`,
    );
    expect(topics[0].n).toBe(15);

    // Now the model changes a known share of its answers to another valid tag; `alone` is
    // re-used from the store, so every changed answer is one of b5's.
    h.emulator.setFaults({ answerFlipRate: 0.25 });
    const flips0 = h.emulator.stats().faultsInjected.answerFlip;
    const calls0 = h.emulator.stats().gatewayCalls;
    const run = await evalJson(h, [
      ...sample,
      '--config',
      'alone=TAG_BATCH_SIZE=1',
      '--config',
      'b5=TAG_BATCH_SIZE=5',
    ]);
    const flips = h.emulator.stats().faultsInjected.answerFlip - flips0;
    expect(run.configs.map((c) => c.reused)).toEqual([60, 0]);
    expect(h.emulator.stats().gatewayCalls - calls0).toBe(12);
    const pair = run.agreement[0];
    expect(flips).toBeGreaterThan(5);
    expect(Math.abs((pair?.disagreements.length ?? 0) - flips)).toBeLessThanOrEqual(1);
    expect(Math.abs((pair?.agreement ?? 0) - (60 - flips) / 60)).toBeLessThanOrEqual(1 / 60);
    expect(pair?.kappa).toBeLessThan(1);
    for (const d of pair?.disagreements ?? []) {
      expect(d.a).toBe(expected.get(idOf(d.url)));
      expect(d.current).toBe(expected.get(idOf(d.url)));
      expect(d.b).not.toBe(d.a);
    }
    const table = await h.cli([
      'eval',
      ...sample,
      '--config',
      'alone=TAG_BATCH_SIZE=1',
      '--config',
      'b5=TAG_BATCH_SIZE=5',
      '--yes',
    ]);
    expect(table.stdout).toContain(`== alone vs b5: agree on ${60 - (pair?.disagreements.length ?? 0)}/60`);
    expect(table.stdout).toContain(`they disagree on ${pair?.disagreements.length} files`);
    expect(await taggedSnapshot(h)).toBe(before);
  }, 180_000);
});
