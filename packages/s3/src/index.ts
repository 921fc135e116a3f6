export {
  createS3Client,
  LIST_PAGE_SIZE,
  MAX_PRESIGN_EXPIRES_S,
  presignGet,
  type S3Settings,
} from './client.ts';
export {
  bareEtag,
  isS3Identity,
  parseS3Identity,
  parseS3Location,
  type S3Location,
  type S3Object,
  s3Identity,
  scrubSignedUrls,
} from './identity.ts';
export { type AudioUrls, PresignError, s3AudioUrls } from './resolver.ts';
export { type S3Env, s3Secrets, s3SettingsFromEnv } from './settings.ts';
