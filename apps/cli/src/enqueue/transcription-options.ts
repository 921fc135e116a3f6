import { readFileSync, statSync } from 'node:fs';
import {
  parseTranscriptionOptions,
  type TranscriptionOptions,
} from '@mediatag/assemblyai/transcript-options';
import { toError, UsageError } from '@mediatag/errors';

// An options file is a few hundred bytes; anything this large is the wrong file.
const MAX_OPTIONS_BYTES = 1024 * 1024;

/** The enqueue flags that set transcription options. */
export interface OptionFlags {
  file: string | undefined;
  speakerLabels: boolean;
  multichannel: boolean;
  /** `--redact-pii credit_card_number,person_name`. */
  redactPii: string | undefined;
  languageDetection: boolean;
  language: string | undefined;
}

function readOptionsFile(path: string): unknown {
  let text: string;
  try {
    if (statSync(path).size > MAX_OPTIONS_BYTES)
      throw new Error(`larger than ${MAX_OPTIONS_BYTES} bytes: not an options file`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--transcription-options ${path}: ${toError(error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--transcription-options ${path}: not valid JSON (${toError(error).message})`);
  }
}

/**
 * The batch's transcription options from `--transcription-options FILE.json` and the short
 * flags (which win over the file), checked against AssemblyAI's transcript request schema.
 * Undefined when none was given. Any problem is a usage error naming each field, raised before
 * anything connects, so a bad file creates no batch and queues nothing.
 */
export function transcriptionOptionsFromFlags(flags: OptionFlags): TranscriptionOptions | undefined {
  const fromFile = flags.file === undefined ? undefined : readOptionsFile(flags.file);
  const given =
    fromFile !== undefined ||
    flags.speakerLabels ||
    flags.multichannel ||
    flags.redactPii !== undefined ||
    flags.languageDetection ||
    flags.language !== undefined;
  if (!given) return undefined;
  if (
    fromFile !== undefined &&
    (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
  )
    throw new UsageError(`--transcription-options ${flags.file}: must be a JSON object of transcript fields`);
  const options: Record<string, unknown> = { ...(fromFile as Record<string, unknown> | undefined) };
  if (flags.speakerLabels) options.speaker_labels = true;
  if (flags.multichannel) options.multichannel = true;
  if (flags.redactPii !== undefined) {
    const policies = flags.redactPii
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (policies.length === 0)
      throw new UsageError('--redact-pii needs policies, e.g. --redact-pii credit_card_number,person_name');
    options.redact_pii = true;
    options.redact_pii_policies = policies;
  }
  if (flags.languageDetection) options.language_detection = true;
  if (flags.language !== undefined) options.language_code = flags.language.trim();
  const parsed = parseTranscriptionOptions(options);
  if (parsed.ok) return parsed.options;
  const where = flags.file === undefined ? 'transcription options' : `transcription options (${flags.file})`;
  throw new UsageError(
    [`${where}: ${parsed.problems.length === 1 ? 'a field is' : 'fields are'} not accepted`]
      .concat(parsed.problems.map((p) => `  ${p.field}: ${p.message}`))
      .join('\n'),
  );
}
