export { type BatchOptions, batchOptions } from './batch-options.ts';
export { type CapDecision, chargeWithinCap } from './cap-charge.ts';
export { createDb, type Db } from './client.ts';
export { checkPostgres, connectionError, createPool, type PoolOptions, redactUrl } from './connection.ts';
export {
  type BatchOutcome,
  type ClaimedFile,
  claimBatch,
  releaseBatch,
  saveBatchOutcomes,
} from './leases.ts';
export {
  DEFAULT_MIGRATIONS_DIR,
  ensureDatabase,
  findMigrationsDir,
  loadMigrations,
  type MigrateResult,
  type Migration,
  migrate,
} from './migrate.ts';
export {
  batchProgress,
  emptyProgress,
  type Progress,
  type RecentPace,
  recentPace,
  resubmittedAfterSearch,
} from './progress.ts';
export { countUnsubmitted, inFlightFileIds, unsubmittedFileIds, untaggedPairs } from './reconcile.ts';
export * from './schema.ts';
export { type BatchSpend, batchSpend, type CostEstimate, capReached } from './spend.ts';
export {
  type Claim,
  claimSubmission,
  type FileRow,
  getFile,
  markSearchGaveUp,
  releaseClaim,
  saveTranscriptId,
  unclaim,
} from './submissions.ts';
export {
  type Charge,
  errorOutcome,
  loadTagTarget,
  saveTagOutcome,
  type TagOutcome,
  type TagTarget,
} from './tag-results.ts';
export { addTaxonomy, findTaxonomy, listTaxonomies, type TaxonomyRow, validateTags } from './taxonomies.ts';
export { saveTranscriptText, storedExcerpt } from './transcript-texts.ts';
export {
  type Completion,
  type FileErrorKind,
  markCompleted,
  markFileError,
  markProcessing,
  markTranscriptGone,
  requeueAfterDownloadError,
  type TextRecord,
} from './transcripts.ts';
