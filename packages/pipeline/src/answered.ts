/**
 * Tag results this process made final (tagged or unmatched), the oldest forgotten first. A
 * batched request answers files whose own tag jobs are still queued; when such a job runs in
 * this process it ends here, without a statement to learn what Postgres already says. A final
 * result never changes (only a failed one is asked again, by `retry`, and failures are never
 * kept here), so a hit is always right and a miss costs only the usual lookup.
 */
export class AnsweredHere {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 50_000) {}

  add(taxonomyId: number, fileIds: Iterable<number>): void {
    for (const fileId of fileIds) {
      const key = `${fileId}:${taxonomyId}`;
      this.keys.delete(key);
      this.keys.add(key);
      if (this.keys.size > this.capacity) {
        const oldest = this.keys.values().next().value;
        if (oldest !== undefined) this.keys.delete(oldest);
      }
    }
  }

  has(fileId: number, taxonomyId: number): boolean {
    return this.keys.has(`${fileId}:${taxonomyId}`);
  }
}
