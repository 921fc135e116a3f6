/** Why a long-running command stops: a signal, or the process that started it went away. */
export type StopReason = NodeJS.Signals | 'parent process exited';

/** How `untilStopped` watches for the parent going away. */
export interface StopOptions {
  /** Stop when the parent exits (false: keep running orphaned, as under nohup). Default true. */
  watchParent?: boolean;
  /** How often the parent is checked, in ms. */
  everyMs?: number;
  /** Stops listening (signals and parent) when aborted; the promise then never settles. */
  stop?: AbortSignal;
}

/**
 * Resolves on the first SIGINT or SIGTERM, or once the process that started this one has
 * exited, then stops listening (a second signal kills as usual). The parent check catches
 * `npx mediatag worker &` followed by `kill %1`: npx dies without passing the signal on, and
 * the worker, re-parented to init, would otherwise run on with nobody to stop it.
 */
export function untilStopped(options: StopOptions = {}): Promise<StopReason> {
  const { watchParent = true, everyMs = 500, stop } = options;
  return new Promise((resolve) => {
    const parent = process.ppid;
    const detach = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      clearInterval(timer);
    };
    const done = (reason: StopReason) => {
      detach();
      resolve(reason);
    };
    // Started by init or as a container's first process: there is no parent to lose.
    const timer =
      watchParent && parent > 1
        ? setInterval(() => {
            if (process.ppid !== parent) done('parent process exited');
          }, everyMs)
        : undefined;
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    stop?.addEventListener('abort', detach, { once: true });
  });
}

/** Resolves on the first SIGINT or SIGTERM only (a command that a parent's exit need not stop). */
export function untilSignal(stop?: AbortSignal): Promise<NodeJS.Signals> {
  return untilStopped({ watchParent: false, ...(stop ? { stop } : {}) }) as Promise<NodeJS.Signals>;
}
