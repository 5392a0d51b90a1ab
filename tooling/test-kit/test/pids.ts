import { readFileSync } from 'node:fs';

/** Alive: the process exists and is not a zombie waiting for a parent (here, a container's init) to reap it. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive, or gives up after a (generous) readiness bound; those still alive. */
export async function gone(pids: number[], withinMs = 15_000): Promise<number[]> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!pids.some(alive)) return [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pids.filter(alive);
}
