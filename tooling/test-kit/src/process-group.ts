import type { ChildProcess } from 'node:child_process';

/**
 * The kit's children are detached (each leads its own process group, so a signal reaches what
 * it started too), so nothing else reaches them: a test file that fails before its `afterAll`,
 * or a worker stopped mid-file, must not leave one behind. Node's `exit` event covers a worker
 * that ends normally; it does not fire when the process is ended by a signal, which is how
 * Vitest stops its fork workers (SIGTERM) and how Ctrl-C arrives (SIGINT), so those are caught
 * too while a child runs.
 */
const ENDING_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

const running = new Set<ChildProcess>();

function killEveryGroup(): void {
  for (const child of running) signalGroup(child, 'SIGKILL');
}

function onEndingSignal(signal: NodeJS.Signals): void {
  killEveryGroup();
  stopWatching();
  // Then do what the signal would have done without us: end the process, unless someone else
  // (a test runner's own handler) listens for it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function stopWatching(): void {
  process.off('exit', killEveryGroup);
  for (const signal of ENDING_SIGNALS) process.off(signal, onEndingSignal);
}

/** Kills `child`'s group with this process, however it ends, until the child exits. */
export function killGroupOnExit(child: ChildProcess): void {
  if (child.pid === undefined) return; // never started: there is no group
  running.add(child);
  if (running.size === 1) {
    process.on('exit', killEveryGroup);
    for (const signal of ENDING_SIGNALS) process.on(signal, onEndingSignal);
  }
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) stopWatching();
  });
}

/** Signals the process group `child` leads (it was spawned detached); nothing if it is gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
