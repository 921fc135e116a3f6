-- 0005_transcription_options: AssemblyAI options per batch.
-- Why: call-centre recordings need PII redaction, speaker labels or per-channel transcripts and
-- a language, while a podcast batch needs none of them, so the options belong to the batch that
-- asks for them (`mediatag enqueue --transcription-options FILE.json`, `--redact-pii …`). They are
-- merged into every submission of the batch's files. A file is transcribed once: when several
-- batches list it, the options of the batch that listed it first (earliest batch_files.created_at)
-- are the ones sent. NULL = no options (AssemblyAI's defaults).
ALTER TABLE batches ADD COLUMN transcription_options jsonb
  CHECK (transcription_options IS NULL OR jsonb_typeof(transcription_options) = 'object');
