import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../src/checkpoint-store';

describe('FileCheckpointStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'onesec-checkpoints-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves and loads per key, creating the directory, leaving no temporary file', async () => {
    const file = path.join(dir, 'nested/checkpoints.json');
    const store = new FileCheckpointStore(file);
    expect(await store.load('logs')).toBeUndefined();
    await store.save('logs', 'c1');
    await store.save('security-alerts', 's1');
    await store.save('logs', 'c2');
    expect(await new FileCheckpointStore(file).load('logs')).toBe('c2');
    expect(await store.load('security-alerts')).toBe('s1');
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(onDisk).toMatchObject({
      version: 1,
      checkpoints: { logs: { cursor: 'c2' }, 'security-alerts': { cursor: 's1' } },
    });
    expect(await readdir(path.dirname(file))).toEqual(['checkpoints.json']);
  });

  it('serialises concurrent saves: the last one wins, none is lost', async () => {
    const store = new FileCheckpointStore(path.join(dir, 'c.json'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(`k${i % 4}`, `v${i}`)));
    expect(await store.load('k0')).toBe('v16');
    expect(await store.load('k3')).toBe('v19');
  });

  it('refuses an unreadable file rather than starting over from the beginning', async () => {
    const file = path.join(dir, 'c.json');
    await writeFile(file, '{"version":1,"checkpoints":{"logs":{"cur');
    await expect(new FileCheckpointStore(file).load('logs')).rejects.toThrow(/not valid JSON/);
    await writeFile(file, '{"something":"else"}');
    await expect(new FileCheckpointStore(file).save('logs', 'x')).rejects.toThrow(/not a version 1 checkpoint file/);
  });
});
