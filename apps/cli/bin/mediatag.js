#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci` runs through the
// root `prepare` script; shipped as is in the packed CLI). In a checkout whose sources are
// newer than that build, or with no build at all, it runs the sources through tsx instead:
// slower to start, but never old code.
import { existsSync, readFileSync, statSync } from 'node:fs';

const app = new URL('../', import.meta.url);

/** Why dist/ cannot be trusted in this checkout, or null when it is current. */
function staleBuild() {
  let build;
  try {
    build = JSON.parse(readFileSync(new URL('dist/build.json', app), 'utf8'));
  } catch {
    return 'there is no build in apps/cli/dist';
  }
  // The packed CLI ships dist/ without sources: nothing to compare with.
  if (!existsSync(new URL('src/main.ts', app))) return null;
  for (const input of build.inputs) {
    let mtimeMs;
    try {
      mtimeMs = statSync(new URL(input, app)).mtimeMs;
    } catch {
      return `${input} is gone since the build`;
    }
    if (mtimeMs > build.builtAt) return `${input} changed since the build`;
  }
  return null;
}

const stale = staleBuild();
let main;
if (stale === null) {
  ({ main } = await import('../dist/main.js'));
} else {
  process.stderr.write(`mediatag: running the sources through tsx (${stale}; \`npm run build\` fixes it)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2), process.env);
