interface Entry {
  due: number;
  seq: number;
  run: () => void;
}

/**
 * All delayed work of one emulator (state changes, webhook retries) in one min-heap driven by a
 * single timer. 20,000 transcripts with two timed steps each would otherwise mean 40,000 live
 * setTimeout handles; here scheduling is O(log n) and a burst due at the same moment runs in one tick.
 */
export class Timeline {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Number.POSITIVE_INFINITY;
  private closed = false;

  /**
   * Milliseconds on the monotonic clock all due times use. The global `performance` (here and
   * wherever the emulator reads time), not node:perf_hooks's binding: fake timers replace the
   * global, so a test moves this clock and the timer together.
   */
  now(): number {
    return performance.now();
  }

  /** Run `run` after `delayMs` real milliseconds (0 = on the next tick, never synchronously). */
  after(delayMs: number, run: () => void): void {
    if (this.closed) return;
    this.push({ due: this.now() + Math.max(0, delayMs), seq: this.seq++, run });
    this.arm();
  }

  /** Number of pending entries. */
  get size(): number {
    return this.heap.length;
  }

  /** Drop everything pending; later `after` calls are ignored. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.heap.length = 0;
  }

  private arm(): void {
    const head = this.heap[0];
    if (!head || this.closed) return;
    // Re-arm only when the new head is earlier than the pending timer: bursts of submissions
    // with later due times then cost no timer churn at all.
    if (this.timer && head.due >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = head.due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil(head.due - this.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.now();
    // Entries scheduled while this batch runs wait for the next tick, so a zero-delay chain
    // (queued -> processing -> completed at timeScale 0) still passes through every status.
    const lastSeq = this.seq;
    for (let head = this.heap[0]; head && head.due <= now + 1 && head.seq < lastSeq; head = this.heap[0]) {
      this.pop();
      head.run();
      if (this.closed) return;
    }
    this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry;
      if (!this.less(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      let child = left;
      if (right < heap.length && this.less(heap[right] as Entry, heap[left] as Entry)) child = right;
      const c = heap[child] as Entry;
      if (!this.less(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}
