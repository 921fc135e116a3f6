import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName } from '../batch.ts';
import { statusCommand } from './status.ts';

const SPEC = defineSpec({
  usage: 'mediatag status [--batch NAME] [--wait] [--json] [--interval SECONDS] [--timeout SECONDS]',
  summary:
    'Shows counts per stage, audio hours, LLM tokens, estimated cost and why a batch is not moving, per batch; --wait follows a batch until every file is final or it cannot progress without you.',
  options: {
    batch: { type: 'string' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
    interval: { type: 'string' },
    timeout: { type: 'string' },
  },
  help: {
    batch: 'NAME  only this batch',
    wait: 'follow the batch (progress bar on a terminal, plain lines otherwise); see the exit codes below',
    json: 'print JSON',
    interval: 'SECONDS  how often --wait checks (default 1)',
    timeout: 'SECONDS  --wait gives up after this long (exit 124)',
  },
  notes: [
    'Why a batch is not moving ("why:"): no worker seen for N s; the API key was rejected; the',
    "spending cap is reached; waiting for the gateway's per-model limit; AssemblyAI is queueing",
    'our submissions (throttled); everything left has failed.',
    '',
    'Exit codes of --wait: 0 every file final; 1 every file final and some failed (mediatag retry);',
    '3 the API key was rejected (fix ASSEMBLYAI_API_KEY, restart the workers); 4 the spending cap',
    'holds the rest and nothing else is moving (mediatag batch set-cap); 124 --timeout passed.',
  ],
});

/** A positive number of seconds, or a usage error naming the option. */
function seconds(value: string, name: string): string {
  if (!(Number(value) > 0)) throw new UsageError(`--${name} must be a positive number of seconds`);
  return value;
}

/**
 * `mediatag status`: its arguments are checked here, before anything connects, then handed
 * to the command (status.ts) in canonical form with the batch name trimmed.
 */
export const statusCliCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    const forwarded: string[] = [];
    if (values.batch !== undefined) forwarded.push(`--batch=${batchName(values.batch, SPEC.usage)}`);
    if (values.wait) forwarded.push('--wait');
    if (values.json) forwarded.push('--json');
    if (values.interval !== undefined) forwarded.push(`--interval=${seconds(values.interval, 'interval')}`);
    if (values.timeout !== undefined) {
      if (!values.wait) throw new UsageError('--timeout goes with --wait');
      forwarded.push(`--timeout=${seconds(values.timeout, 'timeout')}`);
    }
    return (ctx) => statusCommand(ctx, forwarded);
  },
};
