// Encoding of the shared Redis hash `redisKeys(QUEUE_PREFIX).metrics`. Every field is a counter that
// HINCRBYFLOAT only ever increases, so any number of worker processes add up without
// coordination; the scraper turns the fields back into labelled series.

/** The remote APIs whose requests are measured. */
export type Api = 'assemblyai' | 'gateway';

/** Upper bounds (seconds) of the request duration histogram; fixed so all processes agree. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** One series of the duration histogram. */
export interface SeriesLabels {
  api: string;
  method: string;
  route: string;
}

/** A decoded hash field. */
export type Field =
  | ({ kind: 'requests'; status: string } & SeriesLabels)
  | ({ kind: 'bucket'; le: string } & SeriesLabels)
  | ({ kind: 'sum' } & SeriesLabels)
  | { kind: 'rateLimited'; api: string };

const SEP = '|';

// A label value must not contain the separator; routes are templated by the clients, so
// values stay few and short, and the cap guards against a client that forgot to template.
function clean(value: string): string {
  return value.replaceAll(SEP, '_').slice(0, 120);
}

/** The hash field name of a decoded field. */
export function encodeField(field: Field): string {
  switch (field.kind) {
    case 'requests':
      return ['req', field.api, field.method, field.route, field.status].map(clean).join(SEP);
    case 'bucket':
      return ['bucket', field.api, field.method, field.route, field.le].map(clean).join(SEP);
    case 'sum':
      return ['sum', field.api, field.method, field.route].map(clean).join(SEP);
    case 'rateLimited':
      return ['rl', field.api].map(clean).join(SEP);
  }
}

/** The decoded field, or undefined for a name this version does not know. */
export function decodeField(name: string): Field | undefined {
  const [kind, api, method, route, last] = name.split(SEP);
  if (api === undefined) return undefined;
  if (kind === 'rl') return { kind: 'rateLimited', api };
  if (method === undefined || route === undefined) return undefined;
  if (kind === 'sum') return { kind: 'sum', api, method, route };
  if (last === undefined) return undefined;
  if (kind === 'req') return { kind: 'requests', api, method, route, status: last };
  if (kind === 'bucket') return { kind: 'bucket', api, method, route, le: last };
  return undefined;
}

/** The `le` label of the smallest bucket holding `seconds`. */
export function bucketFor(seconds: number): string {
  const bound = DURATION_BUCKETS.find((b) => seconds <= b);
  return bound === undefined ? '+Inf' : String(bound);
}

/** Index into DURATION_BUCKETS (+Inf = its length) of an `le` label, rounding unknown bounds up. */
export function bucketIndex(le: string): number {
  if (le === '+Inf') return DURATION_BUCKETS.length;
  const value = Number(le);
  const index = DURATION_BUCKETS.findIndex((b) => value <= b);
  return Number.isNaN(value) || index < 0 ? DURATION_BUCKETS.length : index;
}
