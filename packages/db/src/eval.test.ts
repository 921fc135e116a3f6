import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completedFilesOfBatch,
  type EvalAnswer,
  type EvalRun,
  filesByUrlOrTranscript,
  saveEvalMetrics,
  saveEvalRun,
  storedEvalAnswers,
  storedTexts,
} from './eval.ts';
import { findTaxonomy, taxonomyById, taxonomyVersion } from './taxonomies.ts';
import { addBatch, addFile, addResult, createTestDatabase, linkFiles, type TestDatabase } from './testing.ts';

let t: TestDatabase;
let media: number;
let batchId: number;
let done: number;
let waiting: number;
beforeAll(async () => {
  t = await createTestDatabase();
  media = (await findTaxonomy(t.db, 'media'))?.id ?? 0;
  batchId = await addBatch(t.db, 'sample', media);
  done = await addFile(t.db, {
    url: 'https://eval.example.com/done.mp3',
    status: 'completed',
    excerpt: true,
  });
  waiting = await addFile(t.db, { url: 'https://eval.example.com/waiting.mp3', status: 'queued' });
  await addResult(t.db, done, media, 'tagged');
  await linkFiles(t.db, batchId, [done, waiting]);
});
afterAll(async () => {
  await t.drop();
});

const answer = (
  over: Partial<EvalAnswer & { expected: string | null; reused: boolean }>,
): EvalAnswer & { expected: string | null; reused: boolean } => ({
  fileId: done,
  status: 'tagged',
  topic: 'Sports',
  rawAnswer: 'Sports',
  error: null,
  model: 'm',
  requestId: 'req-1',
  batchSize: 4,
  requests: 0.25,
  inputTokens: 100,
  outputTokens: 2,
  costUsd: 0.000123,
  expected: 'Politics',
  reused: false,
  ...over,
});
const run = (over: Partial<EvalRun> = {}): EvalRun => ({
  invocation: '00000000-0000-4000-8000-000000000001',
  mode: 'agreement',
  configName: 'a',
  configKey: 'key-a',
  overrides: { TAG_BATCH_SIZE: '4' },
  settings: { model: 'm' },
  taxonomyId: media,
  batchId,
  seed: 1,
  files: 1,
  spent: { requests: 1, inputTokens: 100, outputTokens: 2, costUsd: 0.000123 },
  ...over,
});

describe('eval', () => {
  it('finds its files by URL or transcript id, or as a batch’s completed ones, with their current topic', async () => {
    const found = await filesByUrlOrTranscript(t.db, {
      urls: ['https://eval.example.com/done.mp3'],
      transcriptIds: ['tx-https://eval.example.com/waiting.mp3'],
      taxonomyId: media,
    });
    expect(found.map((f) => [f.fileId, f.transcriptStatus, f.topic]).sort()).toEqual(
      [
        [done, 'completed', 'Sports'],
        [waiting, 'queued', null],
      ].sort(),
    );
    expect(await completedFilesOfBatch(t.db, batchId, media)).toEqual([
      {
        fileId: done,
        url: 'https://eval.example.com/done.mp3',
        transcriptId: 'tx-https://eval.example.com/done.mp3',
        transcriptStatus: 'completed',
        topic: 'Sports',
      },
    ]);
    expect((await storedTexts(t.db, [done, waiting])).get(done)).toEqual({
      excerpt: 'an excerpt',
      excerptTokens: 3,
      fullText: null,
      fullTokens: 3,
    });
    expect((await taxonomyById(t.db, media))?.name).toBe('media');
    expect((await taxonomyVersion(t.db, 'media', 1))?.id).toBe(media);
    expect(await taxonomyVersion(t.db, 'media', 2)).toBeUndefined();
  });

  it('stores a run with its answers, and reuses the latest answer (tagged or unmatched) under a key', async () => {
    const first = await saveEvalRun(t.db, run(), [answer({})]);
    await saveEvalRun(t.db, run({ configName: 'b' }), [
      answer({ status: 'unmatched', topic: null, rawAnswer: 'Maybe', reused: true }),
    ]);
    await saveEvalRun(t.db, run({ configName: 'c' }), [
      answer({ status: 'error', topic: null, rawAnswer: null, error: 'refused' }),
    ]);
    await saveEvalMetrics(t.db, first, { accuracy: 0.5 });
    const {
      expected: _,
      reused: __,
      ...latest
    } = answer({ status: 'unmatched', topic: null, rawAnswer: 'Maybe' });
    expect((await storedEvalAnswers(t.db, 'key-a', [done])).get(done)).toEqual(latest);
    const { rows } = await t.db.execute(sql`
      SELECT r.config_name, r.metrics, r.cost_usd, a.expected, a.requests, a.reused
        FROM eval_runs r JOIN eval_answers a ON a.run_id = r.id ORDER BY r.id`);
    expect(rows).toEqual([
      {
        config_name: 'a',
        metrics: { accuracy: 0.5 },
        cost_usd: '0.000123',
        expected: 'Politics',
        requests: '0.2500',
        reused: false,
      },
      {
        config_name: 'b',
        metrics: null,
        cost_usd: '0.000123',
        expected: 'Politics',
        requests: '0.2500',
        reused: true,
      },
      {
        config_name: 'c',
        metrics: null,
        cost_usd: '0.000123',
        expected: 'Politics',
        requests: '0.2500',
        reused: false,
      },
    ]);
  });
});
