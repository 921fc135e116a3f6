import { createHash } from 'node:crypto';
import { apiEnv, type CliEnv } from '@mediatag/config';
import type { Tag } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import {
  buildBatchPrompt,
  buildPrompt,
  modelFor,
  type PipelineSettings,
  settingsFromEnv,
} from '@mediatag/pipeline';

/**
 * Settings a configuration may change: those that decide what the model is asked and how.
 * TAXONOMY_VERSION is not an environment variable: it picks a version of the tag list (a
 * reworded list is a new version, made by `taxonomy add`).
 */
export const CONFIG_KEYS = [
  'TAG_BATCH_SIZE',
  'TAG_EXCERPT_TOKENS',
  'TAG_BATCH_MAX_TOKENS',
  'LLM_MODEL',
  'LLM_MODE',
  'TAXONOMY_VERSION',
] as const;
type ConfigKey = (typeof CONFIG_KEYS)[number];

/** A named configuration as given on the command line. */
export interface ConfigSpec {
  name: string;
  overrides: Partial<Record<ConfigKey, string>>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/**
 * Parses `--config NAME[=KEY=VALUE[,KEY=VALUE…]]`: the name is what comes before the first `=`;
 * `--config current` (no overrides) is the current settings. No --config at all means one
 * configuration, `current`.
 */
export function parseConfigSpecs(specs: string[]): ConfigSpec[] {
  if (specs.length === 0) return [{ name: 'current', overrides: {} }];
  const out: ConfigSpec[] = [];
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const name = at < 0 ? spec : spec.slice(0, at);
    if (!NAME_RE.test(name))
      throw new UsageError(
        `--config ${spec}: the name must be letters, digits, _ . - (e.g. batch10=TAG_BATCH_SIZE=10)`,
      );
    if (out.some((c) => c.name === name)) throw new UsageError(`--config ${name} is given twice`);
    const overrides: ConfigSpec['overrides'] = {};
    const rest = at < 0 ? '' : spec.slice(at + 1);
    for (const pair of rest.split(',').filter((p) => p.trim() !== '')) {
      const eq = pair.indexOf('=');
      const key = (eq < 0 ? pair : pair.slice(0, eq)).trim() as ConfigKey;
      if (eq < 0 || !CONFIG_KEYS.includes(key))
        throw new UsageError(
          `--config ${name}: "${pair}" must be KEY=VALUE with KEY one of ${CONFIG_KEYS.join(', ')}`,
        );
      overrides[key] = pair.slice(eq + 1).trim();
    }
    out.push({ name, overrides });
  }
  return out;
}

/** The environment with a configuration's overrides applied, each checked by its own schema. */
export function applyOverrides(env: CliEnv, spec: ConfigSpec): CliEnv {
  const next: Record<string, unknown> = { ...env };
  for (const [key, value] of Object.entries(spec.overrides)) {
    if (key === 'TAXONOMY_VERSION') {
      if (!/^\d+$/.test(value) || Number(value) < 1)
        throw new UsageError(`--config ${spec.name}: TAXONOMY_VERSION must be a positive integer`);
      continue;
    }
    const schema = apiEnv[key as Exclude<ConfigKey, 'TAXONOMY_VERSION'>];
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new UsageError(`--config ${spec.name}: ${key}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    next[key] = parsed.data;
    // LLM_MODEL names the one model this configuration uses.
    if (key === 'LLM_MODEL') next.LLM_MODELS = [];
  }
  return next as CliEnv;
}

/** What decides a configuration's answers, resolved against one taxonomy version. */
export interface EffectiveConfig {
  name: string;
  overrides: ConfigSpec['overrides'];
  settings: PipelineSettings;
  model: string;
  taxonomyId: number;
  /** What is hashed into `key`, stored with the run. */
  fingerprint: Record<string, unknown>;
  /** sha256 of the fingerprint: answers stored under the same key are re-used. */
  key: string;
}

/**
 * Resolves a configuration: the settings the workers would run with, the model a tag list of
 * this name is tagged by, and a key that changes whenever anything that shapes the request
 * does (including the prompt text the worker's builders make for this list).
 */
export function effectiveConfig(
  env: CliEnv,
  spec: ConfigSpec,
  taxonomy: { id: number; name: string; tags: Tag[] },
): EffectiveConfig {
  const settings = settingsFromEnv(applyOverrides(env, spec), { requireKey: false });
  const model = modelFor(settings.models, taxonomy.name);
  const t = settings.tagging;
  const batched = t.batchSize > 1;
  const prompt = batched
    ? buildBatchPrompt(taxonomy.tags, [{ key: 'f1', text: '' }])
    : buildPrompt(taxonomy.tags);
  const fingerprint = {
    taxonomyId: taxonomy.id,
    model,
    gatewayMode: settings.gatewayMode,
    batchSize: t.batchSize,
    // Only batched requests send an excerpt; one file alone goes whole by transcript_id.
    excerptTokens: batched ? t.excerptTokens : null,
    maxTokens: batched ? t.maxTokens : null,
    repairUnmatched: settings.repairUnmatched,
    prompt: createHash('sha256').update(prompt).digest('hex'),
  };
  return {
    name: spec.name,
    overrides: spec.overrides,
    settings,
    model,
    taxonomyId: taxonomy.id,
    fingerprint,
    key: createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex'),
  };
}
