import { startHarness } from './harness.ts';

const N = Number(process.argv[2] ?? 2000);
const h = await startHarness({
  emulator: { timeScale: 0, concurrency: 100000, rateLimit: { requests: 10_000_000, windowSeconds: 300 } },
  env: { MAX_IN_FLIGHT: '5000', POLL_MIN_MS: '50', POLL_MAX_MS: '1000' },
});
const urls = Array.from({ length: N }, (_, i) => `${h.emulator.url}/audio/${i}.mp3`);
let t = Date.now();
await h.cli(['enqueue', '-', '--batch', 'tput'], urls.join('\n'));
console.log('enqueue', Date.now() - t, 'ms');
t = Date.now();
await h.startWorkers({ concurrency: Number(process.argv[3] ?? 50) });
await h.waitFinal('tput', 300_000);
const ms = Date.now() - t;
console.log(
  'drain',
  ms,
  'ms',
  (N / (ms / 1000)).toFixed(0),
  'files/s',
  JSON.stringify(h.emulator.stats().getsByTranscript),
);
await h.close();
process.exit(0);
