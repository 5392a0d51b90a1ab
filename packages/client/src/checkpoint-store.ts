import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Where {@link sync} keeps its place in a changes feed: the last `nextCursor` whose batch the
 * handler finished. Implement it over your own database to commit the checkpoint in the same
 * transaction as the data, or use {@link FileCheckpointStore}.
 */
export interface CheckpointStore {
  /** The cursor saved under `key`, or undefined if none was saved yet. */
  load(key: string): Promise<string | undefined>;
  /** Saves `cursor` under `key`. Must be durable when the promise resolves. */
  save(key: string, cursor: string): Promise<void>;
}

/** Keeps checkpoints in memory: for tests, or a process that may start over from scratch. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #cursors = new Map<string, string>();

  async load(key: string): Promise<string | undefined> {
    return this.#cursors.get(key);
  }

  async save(key: string, cursor: string): Promise<void> {
    this.#cursors.set(key, cursor);
  }
}

interface CheckpointFile {
  version: 1;
  checkpoints: Record<string, { cursor: string; savedAt: string }>;
}

/**
 * Keeps checkpoints in one JSON file, `{ version, checkpoints: { <key>: { cursor, savedAt } } }`.
 * Every save writes a temporary file beside it, flushes it to disk and renames it over the
 * old one, so a crash at any moment leaves either the old or the new checkpoint, never a torn
 * file. Saves from one process are serialised; give each process its own file.
 *
 * @example
 * const store = new FileCheckpointStore('/var/lib/siem/1security-checkpoints.json');
 */
export class FileCheckpointStore implements CheckpointStore {
  /** Absolute path of the checkpoint file. */
  readonly path: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = resolve(path);
  }

  async load(key: string): Promise<string | undefined> {
    await this.#queue.catch(() => undefined);
    return (await this.#read()).checkpoints[key]?.cursor;
  }

  save(key: string, cursor: string): Promise<void> {
    const run = this.#queue
      .catch(() => undefined)
      .then(async () => {
        const file = await this.#read();
        file.checkpoints[key] = { cursor, savedAt: new Date().toISOString() };
        await this.#writeAtomically(`${JSON.stringify(file, null, 2)}\n`);
      });
    this.#queue = run;
    return run;
  }

  async #read(): Promise<CheckpointFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, checkpoints: {} };
      throw err;
    }
    // A file we cannot read is an error, never a silent restart from the beginning.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`Checkpoint file ${this.path} is not valid JSON; fix or remove it.`);
    }
    const file = parsed as Partial<CheckpointFile> | null;
    if (!file || file.version !== 1 || typeof file.checkpoints !== 'object' || file.checkpoints === null) {
      throw new Error(`Checkpoint file ${this.path} is not a version 1 checkpoint file; fix or remove it.`);
    }
    return file as CheckpointFile;
  }

  async #writeAtomically(content: string): Promise<void> {
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true });
    const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
    await syncDirectory(directory);
  }
}

/** Makes the rename itself durable. Not every platform can open a directory (Windows): best effort. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // The rename is still atomic; only its durability across power loss is up to the OS.
  } finally {
    await handle?.close();
  }
}
