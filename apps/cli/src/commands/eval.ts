import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { ConfigError } from '@mediatag/config';
import { findTaxonomy, saveEvalMetrics, storedTexts, taxonomyById, taxonomyVersion } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { GatewayClient } from '@mediatag/gateway';
import {
  buildBatchPrompt,
  buildPrompt,
  estimateTokens,
  gatewayAuth,
  isAssemblyAiHost,
  RateBudget,
} from '@mediatag/pipeline';
import { redisKeys } from '@mediatag/queue';
import { type Command, defineSpec, intOption, parseCommand } from '../args.ts';
import { batchName, requireBatch } from '../batch.ts';
import type { Context } from '../context.ts';
import { type EffectiveConfig, effectiveConfig, parseConfigSpecs } from '../eval/config.ts';
import { completedFiles, filesOfLabels, type TaxonomyRef } from '../eval/files.ts';
import { parseGold } from '../eval/gold.ts';
import { buildReport, renderReport } from '../eval/report.ts';
import { type ConfigPlan, type EvalFile, planEval, runEval } from '../eval/run.ts';
import { drawSample } from '../eval/sample.ts';

const USAGE = [
  'mediatag eval --labels FILE.csv --taxonomy NAME [--config NAME[=KEY=VALUE,…]]… [--json] [--yes] [--fresh]',
  '       mediatag eval --batch NAME [--sample 200] [--seed 1] --config A[=…] --config B[=…] [--json] [--yes] [--fresh]',
  '  KEY: TAG_BATCH_SIZE, TAG_EXCERPT_TOKENS, TAG_BATCH_MAX_TOKENS, LLM_MODEL, LLM_MODE, TAXONOMY_VERSION',
].join('\n');

/**
 * `mediatag eval`: how right the tags are on the user's own files, before a big run. Tags
 * hand-labelled files (or a seeded, topic-stratified sample of a batch) under each named
 * configuration, re-using their transcripts, and reports accuracy, per-tag scores, the
 * confusion matrix, agreement between configurations and what each cost. Answers go to
 * eval_runs / eval_answers only; a batch's results are never touched.
 */
const SPEC = defineSpec({
  usage: USAGE,
  summary:
    'Measures how right the tags are before a big run: accuracy against hand labels, or agreement between configurations on a sample of a batch. Never changes a batch’s results.',
  options: {
    labels: { type: 'string' },
    taxonomy: { type: 'string' },
    batch: { type: 'string' },
    sample: { type: 'string' },
    seed: { type: 'string' },
    config: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    yes: { type: 'boolean' },
    fresh: { type: 'boolean' },
  },
  help: {
    labels: 'FILE.csv  hand labels: a url (or transcript_id) and a topic column',
    taxonomy: 'NAME  the tag list the labels use',
    batch: 'NAME  sample this batch instead (agreement mode)',
    sample: 'N  files to sample from the batch (default 200)',
    seed: 'N  the sample’s seed (default 1)',
    config: 'NAME[=KEY=VALUE,…]  a configuration to try; repeatable',
    json: 'print the report as JSON',
    yes: 'do not ask before spending gateway requests',
    fresh: 'ask again even where stored answers exist for the same configuration',
  },
  notes: ['Answers go to eval_runs / eval_answers; tagged_files is never changed.'],
});

interface Plan {
  labels: string | undefined;
  taxonomy: string | undefined;
  batch: string | undefined;
  specs: ReturnType<typeof parseConfigSpecs>;
  mode: 'labels' | 'agreement';
  seed: number;
  sampleSize: number;
  json: boolean;
  yes: boolean;
  fresh: boolean;
}

/**
 * `mediatag eval`: how right the tags are on the user's own files, before a big run. Tags
 * hand-labelled files (or a seeded, topic-stratified sample of a batch) under each named
 * configuration, re-using their transcripts, and reports accuracy, per-tag scores, the
 * confusion matrix, agreement between configurations and what each cost. Answers go to
 * eval_runs / eval_answers only; a batch's results are never touched.
 */
export const evalCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`);
    if (!values.labels && !values.batch)
      throw new UsageError(`--labels FILE or --batch NAME is required\nusage: ${USAGE}`);
    const specs = parseConfigSpecs(values.config ?? []);
    const mode = values.labels ? 'labels' : 'agreement';
    if (mode === 'agreement' && specs.length < 2)
      throw new UsageError(
        `without --labels, compare at least two configurations (--config A --config B)\nusage: ${USAGE}`,
      );
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError('--seed must be an integer ≥ 0');
    const plan: Plan = {
      labels: values.labels,
      taxonomy: values.taxonomy,
      batch: values.batch === undefined ? undefined : batchName(values.batch, USAGE),
      specs,
      mode,
      seed,
      sampleSize: intOption(values.sample, 'sample', 200),
      json: values.json === true,
      yes: values.yes === true,
      fresh: values.fresh === true,
    };
    return (ctx) => run(ctx, plan);
  },
};

async function run(ctx: Context, plan: Plan): Promise<number> {
  const { specs, mode, seed, sampleSize } = plan;
  const values = plan;
  const labelsText = plan.labels ? await readLabels(plan.labels) : null;

  const db = await ctx.db();
  const batch = values.batch ? await requireBatch(db, values.batch) : null;
  const base = values.taxonomy
    ? await findTaxonomy(db, values.taxonomy)
    : batch
      ? await taxonomyById(db, batch.taxonomyId)
      : undefined;
  if (!base)
    throw new UsageError(
      values.taxonomy
        ? `no taxonomy named "${values.taxonomy}" (see: mediatag taxonomy list)`
        : `--taxonomy NAME is required with --labels\nusage: ${USAGE}`,
    );
  const tagNames = base.tags.map((t) => t.name);

  let files: Array<EvalFile & { current: string | null }>;
  const skipped: Array<{ file: string; reason: string }> = [];
  if (labelsText !== null) {
    const gold = parseGold(labelsText, tagNames);
    const known = await filesOfLabels(db, gold, base.id);
    files = [];
    for (const g of gold) {
      const name = g.url ?? `transcript ${g.transcriptId}`;
      const f = known.get(g.url ? `url:${g.url}` : `id:${g.transcriptId}`);
      if (!f) skipped.push({ file: name, reason: 'not known to mediatag (enqueue and transcribe it first)' });
      else if (f.status !== 'completed' || !f.transcriptId)
        skipped.push({ file: name, reason: `transcript ${f.status}` });
      else if (files.some((x) => x.fileId === f.id))
        skipped.push({ file: name, reason: 'the same file as another line (by url and transcript_id)' });
      else
        files.push({
          fileId: f.id,
          url: f.url,
          transcriptId: f.transcriptId,
          expected: g.topic,
          current: f.current,
        });
    }
  } else {
    const candidates = await completedFiles(db, batch?.id as number, base.id);
    const chosen = new Set(
      drawSample(
        candidates.map((c) => ({ id: c.fileId, stratum: c.current })),
        sampleSize,
        seed,
      ),
    );
    files = candidates.filter((c) => chosen.has(c.fileId));
  }
  if (files.length === 0) {
    const why = skipped.length > 0 ? ` (${skipped.length} skipped: ${skipped[0]?.reason}, …)` : '';
    throw new UsageError(`no file with a completed transcript to evaluate${why}`);
  }

  const configs: EffectiveConfig[] = [];
  const taxonomies = new Map<number, TaxonomyRef>([[base.id, base]]);
  for (const spec of specs) {
    const version = spec.overrides.TAXONOMY_VERSION;
    const tax = version === undefined ? base : await taxonomyVersion(db, base.name, Number(version));
    if (!tax) throw new UsageError(`--config ${spec.name}: taxonomy ${base.name} has no version ${version}`);
    taxonomies.set(tax.id, tax);
    configs.push(effectiveConfig(ctx.env, spec, tax));
  }
  const texts = await storedTexts(
    db,
    files.map((f) => f.fileId),
  );
  const tagsOf = (c: EffectiveConfig) => (taxonomies.get(c.taxonomyId) as TaxonomyRef).tags;
  const promptTokens = (c: EffectiveConfig) =>
    estimateTokens(
      c.settings.tagging.batchSize > 1 ? buildBatchPrompt(tagsOf(c), []) : buildPrompt(tagsOf(c)),
    );
  const plans = await planEval(db, configs, files, texts, {
    fresh: values.fresh === true,
    currentExcerptTokens: ctx.env.TAG_EXCERPT_TOKENS,
    promptTokens,
  });
  await confirm(ctx, plans, values.yes === true);

  const redis = await ctx.redis();
  const keys = redisKeys(ctx.env.QUEUE_PREFIX);
  const apiRate = new RateBudget(redis, keys.assemblyaiRate, ctx.env.ASSEMBLYAI_RATE_LIMIT);
  const gateways = new Map<string, GatewayClient>();
  let results: Awaited<ReturnType<typeof runEval>>;
  try {
    results = await runEval(
      {
        db,
        aai: await ctx.assemblyai(),
        gatewayFor: (m) => gatewayFor(ctx, gateways, m),
        // The workers' own per-model budget key: eval and running workers share the limit.
        llmRate: (model, c) => new RateBudget(redis, keys.llmRate(model), c.settings.llmRate),
        apiRate: async () => {
          for (let wait = await apiRate.reserve(); wait > 0; wait = await apiRate.reserve())
            await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 2000)));
        },
        tagsFor: tagsOf,
        currentExcerptTokens: ctx.env.TAG_EXCERPT_TOKENS,
        onProgress: (line) => ctx.err(line),
      },
      plans,
      files,
      texts,
      { mode, batchId: batch?.id ?? null, seed: mode === 'agreement' ? seed : null },
    );
  } finally {
    await Promise.allSettled([...gateways.values()].map((g) => g.close()));
  }

  const report = buildReport(
    {
      mode,
      taxonomy: { name: base.name, version: base.version },
      batch: batch?.name ?? null,
      seed: mode === 'agreement' ? seed : null,
      skipped,
    },
    files,
    results,
    tagNames,
  );
  for (const [i, c] of report.configs.entries()) {
    const pairs = report.agreement.filter((p) => p.b === c.name || (i === 0 && p.a === c.name));
    await saveEvalMetrics(db, c.runId, { ...c, agreement: pairs });
  }
  if (values.json) ctx.out(JSON.stringify(report));
  else for (const line of renderReport(report)) ctx.out(line);
  return 0;
}

async function readLabels(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/**
 * Prints what the evaluation will send and what it is estimated to cost, and asks on a
 * terminal. Without a terminal it needs --yes: a script must not spend money by accident.
 */
async function confirm(ctx: Context, plans: ConfigPlan[], yes: boolean): Promise<void> {
  const requests = plans.reduce((s, p) => s + p.requests, 0);
  const reused = plans.reduce((s, p) => s + p.reused.size, 0);
  const reuseNote = reused > 0 ? `; ${reused} answers re-used from earlier runs (--fresh asks again)` : '';
  if (requests === 0) {
    ctx.err(`nothing to ask: every answer is stored already${reuseNote}`);
    return;
  }
  const cost = plans.reduce((s, p) => s + p.costUsd, 0);
  const per = plans
    .filter((p) => p.requests > 0)
    .map((p) => `${p.config.name}: ${p.requests} for ${p.toAsk.length} files on ${p.config.model}`)
    .join(', ');
  ctx.err(
    `eval will send about ${requests} gateway requests (${per}), estimated $${cost.toFixed(4)}${reuseNote}`,
  );
  if (yes) return;
  const stdin = ctx.io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (!stdin.isTTY)
    throw new UsageError('not a terminal: pass --yes to confirm these requests and their cost');
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
  try {
    const answer = await rl.question('continue? [y/N] ');
    if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('cancelled: nothing was sent');
  } finally {
    rl.close();
  }
}

function gatewayFor(
  ctx: Context,
  cache: Map<string, GatewayClient>,
  mode: 'transcript_id' | 'inline',
): GatewayClient {
  let client = cache.get(mode);
  if (!client) {
    const url = ctx.env.LLM_GATEWAY_URL;
    const auth = gatewayAuth(ctx.env);
    if (!auth.apiKey && isAssemblyAiHost(url))
      throw new ConfigError(`invalid environment: ASSEMBLYAI_API_KEY: required for ${url}`);
    client = new GatewayClient({
      baseUrl: url,
      apiKey: auth.apiKey ?? 'no-api-key-configured',
      authScheme: auth.scheme,
      mode,
      logger: ctx.log.child({ module: 'http' }),
    });
    cache.set(mode, client);
  }
  return client;
}
