// Vitest global setup: builds the CLI once before any test file runs, so tests that spawn
// bin/mediatag.js run the current code compiled, as users do (the bin would otherwise fall
// back to running the sources through tsx, correct but slow to start).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

/** Runs once per `vitest run`, before the test files. */
export default function setup(): void {
  execFileSync(process.execPath, [BUILD, '--quiet'], { stdio: 'inherit' });
}
