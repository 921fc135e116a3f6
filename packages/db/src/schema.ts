// Typed mirror of migrations/*.sql for drizzle queries. The SQL files are the source of
// truth; change them first (with a new migration), then this file.
import { sql } from 'drizzle-orm';
import {
  bigint,
  integer,
  jsonb,
  numeric,
  pgTable,
  pgView,
  primaryKey,
  text,
  timestamp,
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
  errorKind: text('error_kind').$type<'api' | 'submit' | 'poll'>(),
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

/** The public view (DESIGN.md); defined in SQL, described here for typed reads. */
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
