import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * An NDJSON file of `count` Office 365 Management Activity API records for scenario 6, made
 * once and reused: the records of `test/fixtures/o365-audit.ndjson` (every workload and
 * record type the fixture covers) repeated with unique ids and spread-out times.
 */
export async function o365File(serverDir: string, stateDir: string, count: number): Promise<string> {
  const file = path.join(stateDir, `o365-${count}.ndjson`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const templates = readFileSync(path.join(serverDir, 'test/fixtures/o365-audit.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const start = Date.UTC(2026, 5, 1);
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  for (let i = 0; i < count; i++) {
    const record = { ...templates[i % templates.length] };
    record.Id = `b0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    // One record every ~2.6 s over a month; O365 writes times without a zone (UTC).
    record.CreationTime = new Date(start + Math.floor((i * 2_592_000_000) / count)).toISOString().slice(0, 19);
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(partial, file);
  return file;
}
