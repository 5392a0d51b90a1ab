import { open, readFile, stat, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './exit-codes';

/** Whether a process with this id is running (EPERM: running, under another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<checkpoint>.lock`, created exclusively and holding our pid, so two syncs on one
 * checkpoint cannot both run and deliver every batch twice. A lock whose process is gone
 * (SIGKILL, a crash) is stale and taken over. Resolves to the release function.
 */
export async function lockCheckpoint(checkpointPath: string): Promise<() => Promise<void>> {
  const lockPath = `${resolve(checkpointPath)}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o640);
      try {
        await handle.writeFile(`${process.pid}\n`, 'utf8');
      } finally {
        await handle.close();
      }
      return async () => {
        const holder = await readFile(lockPath, 'utf8').catch(() => '');
        if (Number(holder.trim()) === process.pid) await unlink(lockPath).catch(() => undefined);
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new CliError('CHECKPOINT', `Checkpoint lock ${lockPath} cannot be created: ${(err as Error).message}`);
      }
    }
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    const pid = Number(text.trim());
    const holderRunning = Number.isInteger(pid) && pid > 0 ? isRunning(pid) : await isFresh(lockPath);
    if (holderRunning || attempt >= 2) {
      throw new CliError(
        'CHECKPOINT_LOCKED',
        `checkpoint ${resolve(checkpointPath)} is in use by ${pid > 0 ? `process ${pid}` : 'another process'} (lock ${lockPath}); run one sync per checkpoint file. If no onesec is running with it, delete the lock.`,
      );
    }
    // Stale: its process is gone.
    await unlink(lockPath).catch(() => undefined);
  }
}

/** A lock file without a pid yet is being written: taken if younger than 5 s. */
async function isFresh(lockPath: string): Promise<boolean> {
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < 5000;
}
