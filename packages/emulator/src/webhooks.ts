import { Agent, request } from 'undici';
import type { StatsRecorder } from './core/stats.ts';
import type { Timeline } from './core/timeline.ts';
import type { EmulatorOptions } from './options.ts';
import type { TranscriptRecord } from './transcripts/model.ts';

/** What webhook delivery needs from the emulator. */
export interface WebhookContext {
  options(): EmulatorOptions;
  timeline: Timeline;
  stats: StatsRecorder;
}

/**
 * Production's webhook contract: POST `{transcript_id, status}` plus the optional auth
 * header; 2xx is delivered; otherwise retried `attempts` times `intervalSeconds` apart, and any
 * 4xx stops retrying. The last status code is recorded as the transcript's webhook_status_code.
 */
export class WebhookSender {
  // Own connection pool, so close() can cut off deliveries still in flight.
  private readonly agent = new Agent({ keepAliveTimeout: 4_000 });
  private closed = false;

  constructor(private readonly ctx: WebhookContext) {}

  /** Start delivery for a transcript that just finished, if it asked for a webhook. */
  transcriptFinished(record: TranscriptRecord): void {
    if (record.request.webhookUrl === null) return;
    void this.attempt(record, record.request.webhookUrl, 1);
  }

  /** Stop retrying and drop open connections. */
  async close(): Promise<void> {
    this.closed = true;
    await this.agent.destroy();
  }

  private async attempt(record: TranscriptRecord, url: string, attempt: number): Promise<void> {
    const { webhook, timeScale } = this.ctx.options();
    const timeoutMs = webhook.timeoutMs ?? Math.max(1_000, 10 * timeScale);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const { webhookAuthHeaderName: name, webhookAuthHeaderValue: value } = record.request;
    if (name !== null && value !== null) headers[name] = value;
    let statusCode: number | null = null;
    try {
      const res = await request(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ transcript_id: record.id, status: record.status }),
        dispatcher: this.agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      statusCode = res.statusCode;
      await res.body.dump();
    } catch {
      // Refused connection, timeout or reset: a failed attempt, retried like a 5xx.
    }
    if (this.closed) return;
    if (statusCode !== null) record.webhookStatusCode = statusCode;
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      this.ctx.stats.count.webhookDeliveries++;
      return;
    }
    this.ctx.stats.count.webhookFailures++;
    const clientError = statusCode !== null && statusCode >= 400 && statusCode < 500;
    if (clientError || attempt >= webhook.attempts) return;
    this.ctx.timeline.after(webhook.intervalSeconds * timeScale, () => {
      void this.attempt(record, url, attempt + 1);
    });
  }
}
