/**
 * Resolves on the first SIGINT or SIGTERM, then stops listening (a second one kills as usual).
 * An aborted `stop` also stops listening; the promise then never settles.
 */
export function untilSignal(stop?: AbortSignal): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const detach = () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
    const handler = (signal: NodeJS.Signals) => {
      detach();
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    stop?.addEventListener('abort', detach, { once: true });
  });
}
