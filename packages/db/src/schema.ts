// Typed mirror of migrations/*.sql for drizzle queries. The SQL files are the source of
// truth; change them first (with a new migration), then this file.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  integer,
  jsonb,
  numeric,
  pgTable,
  pgView,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** One tag of a taxonomy. */
export interface Tag {
  name: string;
  description: string;
}

export const TRANSCRIPT_STATUSES = ['pending', 'queued', 'processing', 'completed', 'error'] as const;
export type TranscriptStatus = (typeof TRANSCRIPT_STATUSES)[number];
export const TAG_STATUSES = ['pending', 'tagged', 'unmatched', 'error'] as const;
export type TagStatus = (typeof TAG_STATUSES)[number];

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const taxonomies = pgTable('taxonomies', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull(),
  version: integer('version').notNull(),
  tags: jsonb('tags').$type<Tag[]>().notNull(),
  checksum: text('checksum').notNull(),
  createdAt: timestamps.createdAt,
});

export const batches = pgTable('batches', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  taxonomyId: integer('taxonomy_id')
    .notNull()
    .references(() => taxonomies.id),
  /** Extra fields of every submission of this batch's files (snake_case, as AssemblyAI takes them). */
  transcriptionOptions: jsonb('transcription_options').$type<Record<string, unknown>>(),
  /** USD spending cap (NULL = none); see migrations/0008_spending_cap.sql. */
  maxCostUsd: numeric('max_cost_usd', { precision: 12, scale: 4 }),
  ...timestamps,
});

export const mediaFiles = pgTable('media_files', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  url: text('url').notNull().unique(),
  transcriptId: text('transcript_id').unique(),
  transcriptStatus: text('transcript_status').$type<TranscriptStatus>().notNull().default('pending'),
  failedTranscriptIds: text('failed_transcript_ids').array().notNull().default(sql`'{}'`),
  submitAttempts: integer('submit_attempts').notNull().default(0),
  submitClaimedAt: timestamp('submit_claimed_at', { withTimezone: true }),
  submitUncertainSince: timestamp('submit_uncertain_since', { withTimezone: true }),
  errorKind: text('error_kind').$type<'api' | 'submit' | 'poll' | 'gone'>(),
  audioDurationS: integer('audio_duration_s'),
  languageCode: text('language_code'),
  speechModel: text('speech_model'),
  error: text('error'),
  submittedAt: timestamp('submitted_at', { withTimezone: true }),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  source: text('source').$type<'url' | 'rss' | 'upload' | 's3'>().notNull().default('url'),
  localPath: text('local_path'),
  contentHash: text('content_hash'),
  costUsd: numeric('cost_usd', { precision: 12, scale: 6 }),
  /** The batch this file's transcription counts against (the one whose submission paid). */
  chargedBatchId: integer('charged_batch_id'),
  // Generated from the `s3://bucket/key#etag` identity (0009); read-only.
  etag: text('etag').generatedAlwaysAs(sql`CASE WHEN source = 's3' THEN substring(url FROM '#([^#]*)$') END`),
  downloadRetries: integer('download_retries').notNull().default(0),
  ...timestamps,
});

/** A podcast feed a batch watches (`mediatag watch`); `keyUrl` is its identity across moves. */
export const feeds = pgTable('feeds', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  batchId: integer('batch_id')
    .notNull()
    .references(() => batches.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  keyUrl: text('key_url').notNull(),
  aliases: text('aliases').array().notNull().default(sql`'{}'`),
  title: text('title'),
  etag: text('etag'),
  lastModified: text('last_modified'),
  lastFetchedAt: timestamp('last_fetched_at', { withTimezone: true }),
  lastStatus: integer('last_status'),
  lastError: text('last_error'),
  itemsSeen: integer('items_seen').notNull().default(0),
  episodesAdded: integer('episodes_added').notNull().default(0),
  notModifiedCount: integer('not_modified_count').notNull().default(0),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  failingSince: timestamp('failing_since', { withTimezone: true }),
  nextFetchAt: timestamp('next_fetch_at', { withTimezone: true }),
  ...timestamps,
});

export const batchFiles = pgTable(
  'batch_files',
  {
    batchId: integer('batch_id')
      .notNull()
      .references(() => batches.id),
    mediaFileId: bigint('media_file_id', { mode: 'number' })
      .notNull()
      .references(() => mediaFiles.id),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    title: text('title'),
    guid: text('guid'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    episodeDurationS: integer('episode_duration_s'),
    feedTitle: text('feed_title'),
    feedUrl: text('feed_url'),
    createdAt: timestamps.createdAt,
  },
  (t) => [primaryKey({ columns: [t.batchId, t.mediaFileId] })],
);

export const tagResults = pgTable(
  'tag_results',
  {
    mediaFileId: bigint('media_file_id', { mode: 'number' })
      .notNull()
      .references(() => mediaFiles.id),
    taxonomyId: integer('taxonomy_id')
      .notNull()
      .references(() => taxonomies.id),
    status: text('status').$type<TagStatus>().notNull().default('pending'),
    topic: text('topic'),
    rawAnswer: text('raw_answer'),
    model: text('model'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    costUsd: numeric('cost_usd', { precision: 12, scale: 6 }),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.mediaFileId, t.taxonomyId] })],
);

/** One configuration evaluated by `mediatag eval` (0006_eval.sql). */
export const evalRuns = pgTable('eval_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  invocation: uuid('invocation').notNull(),
  mode: text('mode').$type<'labels' | 'agreement'>().notNull(),
  configName: text('config_name').notNull(),
  configKey: text('config_key').notNull(),
  overrides: jsonb('overrides').$type<Record<string, string>>().notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  taxonomyId: integer('taxonomy_id')
    .notNull()
    .references(() => taxonomies.id),
  batchId: integer('batch_id').references(() => batches.id, { onDelete: 'set null' }),
  seed: integer('seed'),
  files: integer('files').notNull().default(0),
  requests: integer('requests').notNull().default(0),
  inputTokens: integer('input_tokens').notNull().default(0),
  outputTokens: integer('output_tokens').notNull().default(0),
  costUsd: numeric('cost_usd', { precision: 12, scale: 6 }).notNull().default('0'),
  metrics: jsonb('metrics'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One file's answer in an eval run; `expected` is the hand label. */
export const evalAnswers = pgTable(
  'eval_answers',
  {
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => evalRuns.id, { onDelete: 'cascade' }),
    mediaFileId: bigint('media_file_id', { mode: 'number' })
      .notNull()
      .references(() => mediaFiles.id),
    configKey: text('config_key').notNull(),
    status: text('status').$type<'tagged' | 'unmatched' | 'error'>().notNull(),
    topic: text('topic'),
    expected: text('expected'),
    rawAnswer: text('raw_answer'),
    error: text('error'),
    model: text('model'),
    requestId: text('request_id'),
    batchSize: integer('batch_size'),
    requests: numeric('requests', { precision: 10, scale: 4 }).notNull().default('0'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    costUsd: numeric('cost_usd', { precision: 12, scale: 6 }).notNull().default('0'),
    reused: boolean('reused').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.mediaFileId] })],
);

/** One billed event (migration 0007): a completed transcription or one file's share of a gateway request. */
export const costLedger = pgTable('cost_ledger', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  kind: text('kind').$type<'transcription' | 'tagging'>().notNull(),
  mediaFileId: bigint('media_file_id', { mode: 'number' })
    .notNull()
    .references(() => mediaFiles.id),
  batchId: integer('batch_id').references(() => batches.id),
  taxonomyId: integer('taxonomy_id').references(() => taxonomies.id),
  transcriptId: text('transcript_id'),
  requestId: text('request_id'),
  model: text('model'),
  audioSeconds: integer('audio_seconds'),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  costUsd: numeric('cost_usd', { precision: 12, scale: 6 }).notNull(),
  backfilled: boolean('backfilled').notNull().default(false),
  createdAt: timestamps.createdAt,
});

/**
 * The view users query (docs/ARCHITECTURE.md, Tables and views): keep its columns stable. Defined
 * in SQL, described here for typed reads.
 */
export const taggedFiles = pgView('tagged_files', {
  batch: text('batch').notNull(),
  url: text('url').notNull(),
  transcriptId: text('transcript_id'),
  taxonomy: text('taxonomy').notNull(),
  topic: text('topic'),
  transcriptStatus: text('transcript_status').$type<TranscriptStatus>().notNull(),
  tagStatus: text('tag_status').$type<TagStatus>().notNull(),
  error: text('error'),
  audioDurationS: integer('audio_duration_s'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  taxonomyVersion: integer('taxonomy_version').notNull(),
  rawAnswer: text('raw_answer'),
  languageCode: text('language_code'),
  model: text('model'),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  metadata: jsonb('metadata').$type<Record<string, unknown>>(),
  batchId: integer('batch_id').notNull(),
  mediaFileId: bigint('media_file_id', { mode: 'number' }).notNull(),
  taxonomyId: integer('taxonomy_id').notNull(),
  source: text('source').notNull(),
  localPath: text('local_path'),
  title: text('title'),
  guid: text('guid'),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  episodeDurationS: integer('episode_duration_s'),
  feedTitle: text('feed_title'),
  transcriptionCostUsd: numeric('transcription_cost_usd'),
  llmCostUsd: numeric('llm_cost_usd'),
}).existing();
