/**
 * Longest first. AssemblyAI runs an account's transcripts FIFO in its slots, so the order of
 * submission decides the drain's tail: submitted in random order, the last wave mixes long
 * and short files and slots idle while the longest finish (about 10% of a 2,000-file drain's
 * ideal time); submitted longest first, the last files are the short ones and every slot
 * stays busy to within a short file of the end (under 1%).
 *
 * A file's priority comes from the length its source states (a feed's `itunes:duration`, a
 * CSV `duration` column). Files of unknown length get none: BullMQ takes unprioritised jobs
 * before prioritised ones, in the order they were added, so a plain URL list keeps its order.
 */

/** BullMQ's priorities run from 1 (first) to 2^21 - 1; a lower number goes first. */
const LOWEST = 2 ** 21 - 1;

/** The transcribe job's BullMQ priority for a file of `seconds` (undefined: length unknown). */
export function transcribePriority(seconds: number | null | undefined): number | undefined {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds <= 0)
    return undefined;
  return LOWEST - Math.min(Math.round(seconds), LOWEST - 1);
}

/** The transcribe job's options for a file of `seconds`: none when the length is unknown. */
export function transcribeOptions(seconds: number | null | undefined): { priority?: number } {
  const priority = transcribePriority(seconds);
  return priority === undefined ? {} : { priority };
}
