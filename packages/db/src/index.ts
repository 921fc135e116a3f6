export { type BatchOptions, batchOptions } from './batch-options.ts';
export { createDb, type Db } from './client.ts';
export { checkPostgres, connectionError, createPool, type PoolOptions, redactUrl } from './connection.ts';
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
export * from './schema.ts';
export { type BatchSpend, batchSpend, type CostEstimate, capReached } from './spend.ts';
export { addTaxonomy, findTaxonomy, listTaxonomies, type TaxonomyRow, validateTags } from './taxonomies.ts';
