import { fileURLToPath } from 'node:url';

/** The sample feeds (RSS, Atom, RSS 1.0, Media RSS, malformed) the tests read. */
export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
