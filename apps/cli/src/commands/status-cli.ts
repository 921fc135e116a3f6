import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName } from '../batch.ts';
import { statusCommand } from './status.ts';

const SPEC = defineSpec({
  usage: 'mediatag status [--batch NAME] [--wait] [--json] [--interval SECONDS]',
  summary:
    'Shows counts per stage, audio hours, LLM tokens and estimated cost per batch; --wait follows a batch until every file is final.',
  options: {
    batch: { type: 'string' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
    interval: { type: 'string' },
  },
  help: {
    batch: 'NAME  only this batch',
    wait: 'follow the batch (progress bar on a terminal, plain lines otherwise); exit 1 if any file failed',
    json: 'print JSON',
    interval: 'SECONDS  how often --wait checks (default 1)',
  },
});

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
    if (values.interval !== undefined) {
      if (!(Number(values.interval) > 0))
        throw new UsageError('--interval must be a positive number of seconds');
      forwarded.push(`--interval=${values.interval}`);
    }
    return (ctx) => statusCommand(ctx, forwarded);
  },
};
