import type { EmulatorContext } from '../context.ts';
import { answerBatch, batchSchemaOf, renderBatch } from '../llm/batch.ts';
import { applyItemFaults } from '../llm/batch-faults.ts';
import { answerPrompt, garbageAnswer } from '../llm/lexical-stand-in.ts';

/**
 * The assistant's message content for a prompt: a batched JSON answer when the response_format's
 * schema asks for one (an array of items with an enum of keys and an enum of topics), else the
 * single answer, wrapped for a json_schema. Faults roll only at non-zero rates, so a run with a
 * given seed repeats whatever rates are off.
 */
export function answerContent(
  ctx: EmulatorContext,
  prompt: string,
  injected: string | undefined,
  responseFormat: unknown,
): string {
  const { faults } = ctx.options();
  const batch = batchSchemaOf(responseFormat, prompt);
  if (batch) {
    ctx.stats.count.gatewayBatchedCalls++;
    ctx.stats.count.gatewayBatchedItems += batch.keys.length;
  }
  if (faults.garbageAnswerRate > 0 && ctx.random() < faults.garbageAnswerRate) {
    ctx.stats.faults.garbageAnswer++;
    const junk = garbageAnswer(prompt, ctx.random);
    return batch ? junk : shapeForResponseFormat(junk, responseFormat);
  }
  if (!batch) {
    const answer = answerPrompt(prompt, injected);
    const runnerUp = answer.scores.find((s) => s.tag !== answer.tag)?.tag;
    const content = answer.tag !== null && runnerUp !== undefined && flipped(ctx) ? runnerUp : answer.content;
    return shapeForResponseFormat(content, responseFormat);
  }
  const items = answerBatch(prompt, batch).map(({ key, topic, ranking }) => {
    const runnerUp = ranking[1];
    return { key, topic: runnerUp !== undefined && flipped(ctx) ? runnerUp : topic };
  });
  const wire = applyItemFaults(items, batch, faults.batchItemFaultRate, ctx.random, (kind) => {
    ctx.stats.faults.batchItem++;
    ctx.stats.batchItemFaults[kind]++;
  });
  return renderBatch(batch, wire);
}

/** Roll `answerFlipRate` for one answer and count a hit. */
function flipped(ctx: EmulatorContext): boolean {
  const rate = ctx.options().faults.answerFlipRate;
  if (!(rate > 0) || ctx.random() >= rate) return false;
  ctx.stats.faults.answerFlip++;
  return true;
}

/** With a json_schema response_format, wrap the answer in the schema's first string property. */
export function shapeForResponseFormat(answer: string, format: unknown): string {
  if (!format || typeof format !== 'object') return answer;
  const f = format as { type?: unknown; json_schema?: { schema?: { properties?: Record<string, unknown> } } };
  if (f.type !== 'json_schema') return answer;
  const properties = f.json_schema?.schema?.properties ?? {};
  const key =
    Object.entries(properties).find(([, p]) => (p as { type?: unknown } | null)?.type === 'string')?.[0] ??
    'answer';
  return JSON.stringify({ [key]: answer });
}
