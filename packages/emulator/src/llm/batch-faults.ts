// Per-item mistakes a real model makes in a batched JSON answer even under a strict schema
// (providers differ in how strictly they enforce enums), so the worker's per-item checks and
// its fallback to single requests are exercised.

import { pickOne, type Random } from '../core/random.ts';
import type { BatchSchema } from './batch.ts';

/** Kinds of item fault, as counted in the stats' `batchItemFaults`. */
export const BATCH_ITEM_FAULT_KINDS = ['omitted', 'misspelledTopic', 'duplicateKey', 'unknownKey'] as const;
export type BatchItemFaultKind = (typeof BATCH_ITEM_FAULT_KINDS)[number];

/** One answer item as it goes on the wire. */
export interface WireItem {
  key: string;
  topic: string;
}

/**
 * Roll each item against `rate` and damage the unlucky ones: omit the item, misspell its topic
 * (never an enum member, not even ignoring case), repeat its key on another item (that item's
 * own key goes missing), or replace its key by one not in the enum.
 */
export function applyItemFaults(
  items: readonly WireItem[],
  schema: BatchSchema,
  rate: number,
  random: Random,
  onFault: (kind: BatchItemFaultKind) => void,
): WireItem[] {
  if (rate <= 0) return items.map((i) => ({ ...i }));
  const out = items.map((i) => ({ ...i }));
  const omitted = new Set<number>();
  // Items whose key was copied onto another: their own key must stay, or the copy (carrying
  // the other item's topic) would be the only item with that key and pass every check.
  const copied = new Set<number>();
  for (let i = 0; i < items.length; i++) {
    const item = out[i];
    if (!item || random() >= rate) continue;
    const kind = pickOne(BATCH_ITEM_FAULT_KINDS, random);
    if (kind === 'omitted') {
      omitted.add(i);
    } else if (kind === 'misspelledTopic') {
      item.topic = misspell(item.topic, schema.topics, random);
    } else if (kind === 'duplicateKey') {
      const others = out.flatMap((_, j) =>
        j !== i && j < items.length && !omitted.has(j) && !copied.has(j) ? [j] : [],
      );
      copied.add(i);
      const target = others.length > 0 ? out[pickOne(others, random)] : undefined;
      if (target) target.key = item.key;
      else out.push({ key: item.key, topic: schema.topics.find((t) => t !== item.topic) ?? item.topic });
    } else {
      item.key = unknownKey(item.key, schema.keys);
    }
    onFault(kind);
  }
  return out.filter((_, i) => !omitted.has(i));
}

/** Drop one letter and flip the case of the first: "Sports" -> "sprts". */
export function misspell(topic: string, topics: readonly string[], random: Random): string {
  const chars = [...topic];
  if (chars.length > 1) chars.splice(Math.floor(random() * chars.length), 1);
  const first = chars[0] ?? 'x';
  let typo =
    (first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase()) + chars.slice(1).join('');
  const taken = new Set(topics.map((t) => t.toLowerCase()));
  while (taken.has(typo.toLowerCase())) typo += 'x';
  return typo;
}

function unknownKey(key: string, keys: readonly string[]): string {
  const numbered = /^(.*?)(\d+)$/.exec(key);
  let candidate = numbered ? `${numbered[1]}${keys.length + Number(numbered[2])}` : `${key}x`;
  while (keys.includes(candidate)) candidate += 'x';
  return candidate;
}
