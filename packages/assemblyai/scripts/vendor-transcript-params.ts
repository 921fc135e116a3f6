// Regenerates src/transcript-params.schema.json from AssemblyAI's published OpenAPI document.
// Usage: npm run vendor-schema -w @mediatag/assemblyai [-- path/to/openapi.json]
// Without a path it looks for shared/assemblyai-spec/openapi.json in any folder above this one: an
// optional copy of the published spec, not part of the repository (see docs/ARCHITECTURE.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildTranscriptParamsSchema } from '../src/transcript-params-build.ts';

/** The vendored schema's path. */
export const VENDORED_SCHEMA = fileURLToPath(
  new URL('../src/transcript-params.schema.json', import.meta.url),
);

/** shared/assemblyai-spec/openapi.json in this folder or any above it, or null. */
export function findSharedOpenapi(from = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'shared', 'assemblyai-spec', 'openapi.json');
    if (existsSync(candidate)) return candidate;
    if (dir === parse(dir).root) return null;
    dir = dirname(dir);
  }
}

/** The vendored file's exact text for a given OpenAPI document (stable key order, final newline). */
export function vendoredText(openapi: unknown): string {
  return `${JSON.stringify(buildTranscriptParamsSchema(openapi), null, 2)}\n`;
}

function main(): void {
  const source = process.argv[2] ?? findSharedOpenapi();
  if (!source) {
    process.stderr.write('openapi.json not found: pass its path\n');
    process.exit(2);
  }
  // Read as JSON: a YAML 1.1 parser would turn the language code `no` into false.
  writeFileSync(VENDORED_SCHEMA, vendoredText(JSON.parse(readFileSync(source, 'utf8'))));
  process.stdout.write(`wrote ${VENDORED_SCHEMA} from ${source}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
