import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SAMPLES, SUPPORT_CALLS_TAXONOMY } from '@mediatag/emulator/samples';
import { silentLogger } from '@mediatag/logger';
import { createQueues, createRedis } from '@mediatag/queue';
import { startServer } from '@mediatag/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultReportFile } from './commands/report.ts';
import { type Harness, sampleCopies, startHarness } from './harness.ts';

// Debian's chromium (`.ci/run` installs it); playwright-core never downloads a browser.
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
const XSS_TAG = '<script>window.__xss="tag"</script>';
const BATCH = 'night <script>window.__xss="batch"</script>';
const USER = 'admin';
const PASSWORD = 'report-password-1';

const calls = SAMPLES.filter((s) => s.taxonomy === 'support-calls');
const media = SAMPLES.filter((s) => s.taxonomy === 'media').slice(0, 6);
const countBy = (topics: string[]) => {
  const m: Record<string, number> = {};
  for (const t of topics) m[t] = (m[t] ?? 0) + 1;
  return m;
};

let browser: Browser;
let h: Harness | undefined;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  // No skip: a machine without chromium fails here, naming what is missing.
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install -y chromium)`).toBe(true);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  dir = await mkdtemp(join(tmpdir(), 'mediatag-report-'));
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await h?.close();
  h = undefined;
});

// This file compiles without the DOM library: the few browser types the page code below uses.
interface El {
  textContent: string | null;
  children: ArrayLike<El>;
  dataset: Record<string, string | undefined>;
  className: string;
  style: { backgroundColor: string };
  querySelectorAll(selector: string): ArrayLike<El>;
}
type ChartData = { labels: string[]; datasets: { label: string; data: number[] }[] };
interface Win {
  document: {
    body: El;
    getElementById(id: string): El | null;
    querySelector(selector: string): El | null;
    querySelectorAll(selector: string): ArrayLike<El>;
  };
  Chart: { getChart(el: El): { data: ChartData } | undefined };
  __xss?: string;
}

/** Rows of a table as a person reads them: one array of cell texts per row. */
function tableRows(page: Page, id: string): Promise<string[][]> {
  return page.evaluate((tableId) => {
    const w = globalThis as unknown as Win;
    return Array.from(w.document.querySelectorAll(`#${tableId} tbody tr`)).map((tr) =>
      Array.from(tr.children).map((c) => (c.textContent ?? '').trim()),
    );
  }, id);
}

/** Each confusion heatmap: its configuration, answer columns, rows (label then counts), and which cells are coloured how. */
function heatmaps(page: Page) {
  return page.evaluate(() => {
    const w = globalThis as unknown as Win;
    const text = (e: El) => (e.textContent ?? '').trim();
    return Array.from(w.document.querySelectorAll('table.confusion')).map((t) => ({
      config: t.dataset.config ?? '',
      columns: Array.from(t.querySelectorAll('thead th')).slice(1).map(text),
      rows: Array.from(t.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map(text)),
      cells: Array.from(t.querySelectorAll('tbody td')).map((td) => ({
        kind: td.className.replace('n ', ''),
        coloured: td.style.backgroundColor !== '',
      })),
    }));
  });
}

/** What a person sees: the charts as Chart.js holds them, and the tables as rendered. */
async function read(page: Page) {
  await page.waitForFunction(() => (globalThis as unknown as Win).document.body.dataset.charts === 'drawn');
  const charts = await page.evaluate(() => {
    const w = globalThis as unknown as Win;
    const chart = (id: string) => {
      const el = w.document.getElementById(id);
      const data = el ? w.Chart.getChart(el)?.data : undefined;
      return data
        ? {
            labels: [...data.labels],
            datasets: data.datasets.map((d) => ({ label: d.label, data: [...d.data] })),
          }
        : null;
    };
    return {
      h1: w.document.querySelector('h1')?.textContent ?? '',
      topics: chart('topics-chart'),
      processing: chart('processing-chart'),
      xss: w.__xss ?? null,
    };
  });
  const status = await tableRows(page, 'status-table');
  const summary = await tableRows(page, 'summary-table');
  return {
    ...charts,
    status: Object.fromEntries(status.map(([k, ...v]) => [k, v.map(Number)])),
    summary: Object.fromEntries(summary.map(([k, ...v]) => [k, v])),
    problems: await tableRows(page, 'problems-table'),
    evaluation: await page.evaluate(
      () => (globalThis as unknown as Win).document.getElementById('evaluation') !== null,
    ),
    evalConfigs: await tableRows(page, 'eval-table-0'),
    heatmaps: await heatmaps(page),
  };
}

describe('mediatag report', () => {
  it('writes one self-contained page that chromium shows from disk: topics, statuses, cost, failures', async () => {
    h = await startHarness();
    // A tag list with a tag whose name is markup: it must show as text, never run.
    const tags = { ...SUPPORT_CALLS_TAXONOMY, [XSS_TAG]: 'zebra quokka' };
    await writeFile(join(dir, 'tags.json'), JSON.stringify(tags));
    expect((await h.cli(['taxonomy', 'add', 'calls-xss', join(dir, 'tags.json')])).code).toBe(0);

    const good = sampleCopies(
      h.emulator.url,
      calls.map((s) => s.id),
      1,
    );
    const broken = `${h.emulator.url}/broken/call.mp3?note=<script>window.__xss="url"</script>`;
    const added = await h.cli(
      ['enqueue', '-', '--batch', BATCH, '--taxonomy', 'calls-xss'],
      [...good, broken].join('\n'),
    );
    expect(added.code).toBe(0);
    await h.startWorkers();
    await h.waitFinal(BATCH);
    // Two more calls the model answers with garbage: unmatched, with the answer kept.
    h.emulator.setFaults({ garbageAnswerRate: 1 });
    const garbage = sampleCopies(h.emulator.url, [calls[0]?.id ?? '', calls[1]?.id ?? ''], 2).slice(2);
    await h.cli(['enqueue', '-', '--batch', BATCH, '--taxonomy', 'calls-xss'], garbage.join('\n'));
    await h.waitFinal(BATCH);
    h.emulator.setFaults({ garbageAnswerRate: 0 });
    const mediaUrls = sampleCopies(
      h.emulator.url,
      media.map((s) => s.id),
      1,
    );
    await h.cli(['enqueue', '-', '--batch', 'media-small'], mediaUrls.join('\n'));
    await h.waitFinal('media-small');
    // The broken file's error text gets markup too, as an API might send back.
    await h.db.pool.query(
      `UPDATE media_files SET error = error || ' <img src=x onerror="window.__xss=1">' WHERE url LIKE '%/broken/%'`,
    );

    // Hand labels for the calls, two of them deliberately wrong (one the markup tag): `mediatag
    // eval` answers all of them right, so exactly these two are the matrix's mix-ups.
    const wrongLabels = new Map([
      [good[0] as string, XSS_TAG],
      [good[2] as string, 'Billing and Payments'],
    ]);
    expect(calls[2]?.expectedTopic).not.toBe('Billing and Payments');
    const truth = new Map(good.map((u, i) => [u, calls[i]?.expectedTopic as string]));
    const labelOf = (u: string) => wrongLabels.get(u) ?? (truth.get(u) as string);
    const csvCell = (v: string) => `"${v.replace(/"/g, '""')}"`;
    await writeFile(
      join(dir, 'gold.csv'),
      `url,topic\n${good.map((u) => `${csvCell(u)},${csvCell(labelOf(u))}`).join('\n')}\n`,
    );
    const evaluated = await h.cli([
      ...['eval', '--labels', join(dir, 'gold.csv'), '--taxonomy', 'calls-xss'],
      ...['--config', 'alone=TAG_BATCH_SIZE=1', '--config', 'batched=TAG_BATCH_SIZE=4', '--yes', '--json'],
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const evalJson = JSON.parse(evaluated.stdout) as {
      configs: Array<{
        name: string;
        files: number;
        failed: unknown[];
        labels: { accuracy: number; correct: number };
        unmatchedRate: number;
        tokensPerFile: number;
        costPerFileUsd: number;
        requestsPerFile: number;
        thisRun: { requests: number };
      }>;
    };
    expect(evalJson.configs.map((c) => [c.name, c.labels.correct, c.files])).toEqual([
      ['alone', calls.length - 2, calls.length],
      ['batched', calls.length - 2, calls.length],
    ]);

    const single = join(dir, 'single.html');
    const run = await h.cli(['report', '--batch', BATCH, '--out', single]);
    expect(run).toMatchObject({ code: 0, stdout: `${single}\n` });
    const html = await readFile(single, 'utf8');
    // Self-contained: no script, style, font or image is fetched from anywhere.
    expect(html).not.toMatch(/<(script|img|link|iframe)[^>]+(src|href)=/i);
    expect(html).not.toContain('<script>window.__xss');

    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(single).href);
    const seen = await read(page);
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.close();

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(seen.xss).toBeNull();
    expect(seen.h1).toBe(`Batch report: ${BATCH}`);
    // The bars: every tag of the list (the markup tag with 0), counts as the sample library says.
    const expected = { ...countBy(calls.map((s) => s.expectedTopic)), [XSS_TAG]: 0 };
    const bars = Object.fromEntries(
      seen.topics?.labels.map((l, i) => [l, seen.topics?.datasets[0]?.data[i]]) ?? [],
    );
    expect(bars).toEqual(expected);
    expect(seen.topics?.datasets).toHaveLength(1);
    expect(seen.status).toMatchObject({
      Tagged: [calls.length],
      Unmatched: [2],
      'Transcription failed': [1],
      'Tagging failed': [0],
      Total: [calls.length + 3],
    });
    expect(seen.summary.Files).toEqual([String(calls.length + 3)]);
    expect(seen.summary['Audio hours']?.[0]).toMatch(/^0\.\d+$/);
    expect(seen.summary['Total cost']?.[0]).toMatch(/^\$0\.\d{4}$/);
    // Every completed transcript is in the processing-time histogram.
    const binned = seen.processing?.datasets[0]?.data.reduce((a, b) => a + b, 0);
    expect(binned).toBe(calls.length + 2);
    // The failed and unmatched files, with their reasons; the markup in them is text.
    expect(seen.problems).toHaveLength(3);
    const [failed, ...unmatched] = seen.problems;
    expect(failed?.[0]).toContain('/broken/call.mp3');
    expect(failed?.[0]).toContain('window.__xss');
    expect(failed?.[1]).toBe('transcription failed');
    expect(failed?.[2]).toMatch(/download error.*<img src=x onerror="window.__xss=1">/i);
    for (const row of unmatched) {
      expect(row[1]).toBe('unmatched');
      expect(row[2]).toMatch(/model answered: \S/);
    }

    // The Evaluation section: the same figures `mediatag eval` printed, per configuration.
    expect(seen.evaluation).toBe(true);
    expect(seen.evalConfigs).toEqual(
      evalJson.configs.map((c) => [
        expect.stringMatching(new RegExp(`^${c.name}TAG_BATCH_SIZE=`)),
        String(c.files),
        `${(c.labels.accuracy * 100).toFixed(1)}% (${c.labels.correct}/${c.files - c.failed.length})`,
        `${(c.unmatchedRate * 100).toFixed(1)}%`,
        '0',
        c.tokensPerFile.toFixed(0),
        `$${c.costPerFileUsd.toFixed(5)}`,
        c.requestsPerFile.toFixed(3),
        String(c.thisRun.requests),
      ]),
    );
    expect(seen.evalConfigs.map((r) => r[2])).toEqual(['80.0% (8/10)', '80.0% (8/10)']);
    // The confusion heatmaps: rows the hand label, columns the answer; every tag of the list is
    // used here (the markup tag only as a label), in list order, then unmatched.
    const order = Object.keys(tags);
    const expectedRows = order.map((label) => [
      label,
      ...order.map((answer) =>
        String(good.filter((u) => labelOf(u) === label && truth.get(u) === answer).length),
      ),
      '0',
    ]);
    expect(seen.heatmaps.map((m) => m.config)).toEqual(['alone', 'batched']);
    for (const m of seen.heatmaps) {
      expect(m.columns).toEqual([...order, '(unmatched)']);
      expect(m.rows).toEqual(expectedRows);
      // The off-diagonal (red) cells are exactly the two wrong labels, one file each.
      const wrongCells = m.rows.flatMap((row, i) =>
        row.slice(1).flatMap((n, j) => (i !== j && n !== '0' ? [[row[0], m.columns[j], n]] : [])),
      );
      expect(wrongCells).toEqual([
        [order[2], calls[2]?.expectedTopic, '1'],
        [XSS_TAG, calls[0]?.expectedTopic, '1'],
      ]);
      const width = order.length + 1;
      expect(m.cells.filter((c) => c.kind === 'wrong')).toHaveLength(2);
      for (const [k, c] of m.cells.entries()) {
        const [i, j] = [Math.floor(k / width), k % width];
        const n = Number(m.rows[i]?.[j + 1]);
        expect(c).toEqual({ kind: n === 0 ? 'zero' : i === j ? 'right' : 'wrong', coloured: n > 0 });
      }
    }

    // A batch without evaluation runs has no such section.
    const plain = join(dir, 'plain.html');
    expect((await h.cli(['report', '--batch', 'media-small', '--out', plain])).code).toBe(0);
    const page3 = await browser.newPage();
    await page3.goto(pathToFileURL(plain).href);
    const withoutEval = await read(page3);
    await page3.close();
    expect(withoutEval.evaluation).toBe(false);
    expect(withoutEval.heatmaps).toEqual([]);
    expect(withoutEval.status.Tagged).toEqual([media.length]);

    // Two batches: the topic distributions side by side, one series per batch.
    const both = join(dir, 'both.html');
    expect((await h.cli(['report', '--batch', BATCH, '--batch', 'media-small', '--out', both])).code).toBe(0);
    const page2 = await browser.newPage();
    await page2.goto(pathToFileURL(both).href);
    const compared = await read(page2);
    await page2.close();
    expect(compared.topics?.datasets.map((d) => d.label)).toEqual([BATCH, 'media-small']);
    const mediaBars = Object.fromEntries(
      compared.topics?.labels.map((l, i) => [l, compared.topics?.datasets[1]?.data[i]]) ?? [],
    );
    for (const [topic, n] of Object.entries(countBy(media.map((s) => s.expectedTopic))))
      expect(mediaBars[topic]).toBe(n);
    expect(compared.status.Tagged).toEqual([calls.length, media.length]);
    expect(compared.xss).toBeNull();

    // An unknown batch is a usage error naming it; nothing is written.
    const missing = await h.cli(['report', '--batch', 'no-such', '--out', join(dir, 'x.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no batch named "no-such"');
    expect(existsSync(join(dir, 'x.html'))).toBe(false);

    // `mediatag serve`'s pages: the dashboard's credentials, then the same report.
    const redis = createRedis('redis://127.0.0.1:6379', 'worker');
    const queues = createQueues(redis, h.prefix);
    const server = await startServer({
      db: h.db.db,
      redis,
      queues,
      log: silentLogger(),
      port: 0,
      host: '127.0.0.1',
      batchPages: { user: USER, password: PASSWORD },
    });
    cleanups.push(async () => {
      await server.close();
      await queues.close();
      redis.disconnect();
    });
    expect((await fetch(`${server.url}/batches`)).status).toBe(401);
    expect((await fetch(`${server.url}/batches/media-small`)).status).toBe(401);
    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
    const list = await context.newPage();
    await list.goto(`${server.url}/batches`);
    const listed = await tableRows(list, 'batches-table');
    expect(listed).toEqual([
      ['media-small', String(media.length), String(media.length), '0', '0', '0', '100%', ''],
      [BATCH, String(calls.length + 3), String(calls.length), '2', '1', '0', '100%', ''],
    ]);
    // The batch's link (its name URL-encoded) opens its report.
    await list.click(`#batches-table a >> text=${BATCH}`);
    const served = await read(list);
    expect(decodeURIComponent(list.url())).toBe(`${server.url}/batches/${BATCH}`);
    expect(served.topics).toEqual(seen.topics);
    expect(served.status).toEqual(seen.status);
    expect(served.problems).toEqual(seen.problems);
    expect(served.evalConfigs).toEqual(seen.evalConfigs);
    expect(served.heatmaps).toEqual(seen.heatmaps);
    expect(served.xss).toBeNull();
    await context.close();
  }, 180_000);

  it('names the default file after the batch, keeping only characters a file name can hold', () => {
    expect(defaultReportFile(['calls-2026-11-24'])).toBe('report-calls-2026-11-24.html');
    expect(defaultReportFile(['a/b <c>', 'd'])).toBe('report-a_b__c_-vs-d.html');
    expect(defaultReportFile(['..'])).toBe('report-_.html');
  });
});
