/**
 * AssemblyAI's timestamps carry no zone (`2024-05-01T10:00:00.123456`): they are UTC. `Date.parse`
 * would read them in the machine's zone, hours off east or west of UTC.
 */
export function apiTimeMs(text: string): number {
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`);
}
