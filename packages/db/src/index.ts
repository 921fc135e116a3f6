export { type BatchOptions, batchOptions } from './batch-options.ts';
export {
  type Batch,
  type BatchWithTaxonomy,
  cappedBatches,
  createBatch,
  deleteBatch,
  findBatch,
  findBatchWithTaxonomy,
  missingBatches,
  setBatchCap,
  setBatchTaxonomy,
  unsubmittedFiles,
} from './batches.ts';
export { type CapDecision, chargeWithinCap } from './cap-charge.ts';
export { createDb, type Db } from './client.ts';
export { checkPostgres, connectionError, createPool, type PoolOptions, redactUrl } from './connection.ts';
export { type BatchItem, type LinkedItem, linkToBatch } from './enqueue.ts';
export {
  completedFilesOfBatch,
  type EvalAnswer,
  type EvalCandidate,
  type EvalRun,
  filesByUrlOrTranscript,
  type StoredText,
  saveEvalMetrics,
  saveEvalRun,
  storedEvalAnswers,
  storedTexts,
} from './eval.ts';
export {
  type FeedRow,
  type FeedStatus,
  feedStatuses,
  feedsById,
  moveFeed,
  recordFailure,
  recordFetched,
  recordNotModified,
  subscribe,
} from './feeds.ts';
export { filesInFlightByTranscript } from './in-flight.ts';
export {
  type BatchOutcome,
  type ClaimedFile,
  claimBatch,
  countReady,
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
  anyUnfinished,
  batchProgress,
  countFailed,
  emptyProgress,
  type Progress,
  type RecentPace,
  recentPace,
  resubmittedAfterSearch,
} from './progress.ts';
export { queryErrorCause } from './query-error.ts';
export { countUnsubmitted, inFlightFileIds, unsubmittedFilesWithLength, untaggedPairs } from './reconcile.ts';
export { type TaggedFilesPage, taggedFilesColumns, taggedFilesPage, type ViewColumn } from './results.ts';
export { type Unanswered, unansweredFiles } from './retag.ts';
export { type GoneFiles, goneFiles, type Requeued, requeueFailed } from './retry.ts';
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
export {
  addTaxonomy,
  findTaxonomy,
  listTaxonomies,
  type TaxonomyRow,
  taxonomyById,
  taxonomyVersion,
  validateTags,
} from './taxonomies.ts';
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
export { recordUpload, urlOfContent } from './uploads.ts';
