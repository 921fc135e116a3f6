import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, parseCommand } from '../args.ts';
import { batchName, requireBatch } from '../batch.ts';
import { describeCap, parseCap, setCap } from '../cap.ts';
import type { Context } from '../context.ts';

const SPEC = defineSpec({
  usage: 'mediatag batch set-cap NAME USD|none',
  summary:
    "Sets (or removes) a batch's spending cap. Workers submit no file whose estimated cost would take the batch past it; raising it resumes the files it held at once.",
  options: {},
  help: {},
  notes: [
    'Spent = transcription of its completed files + LLM cost of its tag results; files in flight',
    'count at an estimate (see COST_ESTIMATE_AUDIO_S). `mediatag status` shows when the cap holds files.',
  ],
});

async function run(ctx: Context, name: string, cap: number | null): Promise<number> {
  const batch = await requireBatch(await ctx.db(), name);
  const woken = await setCap(ctx, batch.id, cap);
  ctx.out(`batch ${batch.name}: ${describeCap(cap)}; ${woken} waiting files looked at again`);
  return 0;
}

/** `mediatag batch set-cap NAME USD|none`. */
export const batchCommand: Command = {
  prepare(args) {
    const { positionals } = parseCommand(SPEC, args);
    const [action, name, amount, ...rest] = positionals;
    if (action !== 'set-cap' || amount === undefined || rest.length > 0)
      throw new UsageError(`usage: ${SPEC.usage}`);
    const batch = batchName(name, SPEC.usage);
    const cap = parseCap(amount, 'the cap');
    return (ctx) => run(ctx, batch, cap);
  },
};
