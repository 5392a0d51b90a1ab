/**
 * The guides' recipes that keep state — the changes-feed loop, the time-window poller, the
 * SIEM pollers (shell and typed client), the paged export — run as the guides print them (taken from the Markdown;
 * only the API's origin is replaced) while things go wrong for real: the API goes away in
 * the middle of a run, the API answers 500, the disk refuses a write. Each failing run must
 * exit non-zero and leave no half-written line and no duplicate; the run after recovery must
 * deliver exactly the full set: nothing missing, nothing twice.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type Fault } from './support/fault-proxy';
import { startLiveServer, type LiveServer } from './support/live-server';
import { DOCS_ROOT } from './support/paths';
import { runCommand, type CommandResult } from './support/run-command';
import { readGuideCode, withLiveOrigin } from './support/snippets';

const TSX = path.join(DOCS_ROOT, 'node_modules/.bin/tsx');
/** The recipes' working folders (git-ignored); not under .snippets/, which snippets.test.ts empties as it starts. */
const WORK_DIR = path.join(DOCS_ROOT, '.recipes-under-failure');

/**
 * The events of the test tenant: 5,005 as in the report that started this — generated ones,
 * and enough high-severity ones that the export of high and critical events has 4 pages too.
 */
const SEEDED_LOGS = 2005;
const HIGH_LOGS = 3000;
const LOGS = SEEDED_LOGS + HIGH_LOGS;
const PAGE = 1000;
/** Where the time-window recipe starts: before every seeded event (the seed spans 30 days). */
const WINDOW_START = '2020-01-01T00:00:00Z';

interface Item {
  id: string;
  severity: string;
}

interface Recipe {
  /** The guide, and the script in it: a ` ```bash file=NAME ` block, or the TypeScript block containing `match`. */
  guide: string;
  file: string;
  match?: string;
  args: string[];
  env?: Record<string, string>;
  /** The file the recipe delivers to, relative to its working folder. */
  output: string;
  /** `append`: every run adds to the output; `replace`: a run writes it whole, or not at all. */
  delivery: 'append' | 'replace';
  /** Sets up the working folder before the first run. */
  prepare?: (dir: string) => void;
  /** The items a complete run must have delivered, asked of the API directly. */
  fullSet: (dir: string) => Promise<Item[]>;
}

const RECIPES: Recipe[] = [
  {
    guide: 'incremental-sync',
    file: 'logs-sync.sh',
    args: [],
    output: 'logs.ndjson',
    delivery: 'append',
    fullSet: () => everything('/logs/changes?from=2026-06-05T00:00:00Z&limit=1000'),
  },
  {
    guide: 'incremental-sync',
    file: 'logs-window.sh',
    args: [],
    output: 'logs-window.ndjson',
    delivery: 'append',
    prepare: (dir) => writeFileSync(path.join(dir, 'logs.window'), `${WINDOW_START}\n`),
    // The window the script chose: it ends where the next one starts.
    fullSet: (dir) => {
      const until = readFileSync(path.join(dir, 'logs.window'), 'utf8').trim();
      expect(until, 'after a complete run, logs.window holds only the next window’s start').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      return everything(`/logs?order=asc&limit=1000&since=${WINDOW_START}&until=${until}`);
    },
  },
  {
    guide: 'siem-integration',
    file: 'onesec-poll.sh',
    args: ['logs'],
    env: { STATE_DIR: 'state' },
    output: 'state/logs.ndjson',
    delivery: 'append',
    prepare: (dir) => mkdirSync(path.join(dir, 'state')),
    fullSet: () => everything('/logs/changes?limit=1000'),
  },
  {
    guide: 'siem-integration',
    file: 'siem-poller.ts',
    match: 'FileCheckpointStore',
    args: [],
    output: 'onesec-state/logs.ndjson',
    delivery: 'append',
    prepare: (dir) => mkdirSync(path.join(dir, 'onesec-state')),
    fullSet: () => everything('/logs/changes?limit=1000'),
  },
  {
    guide: 'pagination',
    file: 'export-high.sh',
    args: [],
    output: 'high-severity.ndjson',
    delivery: 'replace',
    fullSet: () => everything('/logs?severity=high,critical&limit=1000'),
  },
];

type Scenario =
  | { name: string; api: Fault }
  | { name: string; disk: 'full' | 'full-mid-page' };

const SCENARIOS: Scenario[] = [
  { name: 'the API goes down after 3 pages', api: { after: 3, mode: 'down' } },
  { name: 'the API answers 500 after 3 pages', api: { after: 3, mode: 'error500' } },
  { name: 'the output is on a full disk (/dev/full)', disk: 'full' },
  { name: 'the disk fills in the middle of the third page (ulimit -f)', disk: 'full-mid-page' },
];

let live: LiveServer;
let apiKey: string;
let averageLineBytes: number;

async function everything(pathAndQuery: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  for (;;) {
    // A cursor carries the first call's `from`: the two do not mix.
    const url = cursor ? `${live.baseUrl}${pathAndQuery.replace(/from=[^&]*&?/, '')}&cursor=${cursor}` : `${live.baseUrl}${pathAndQuery}`;
    const response = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } });
    expect(response.status, url).toBe(200);
    const page = (await response.json()) as { data: Item[]; pagination: { nextCursor: string | null; hasMore: boolean } };
    items.push(...page.data);
    if (!page.pagination.hasMore) return items;
    cursor = page.pagination.nextCursor;
  }
}

beforeAll(async () => {
  live = await startLiveServer();
  const { tenantId } = JSON.parse(await live.cli(['tenants', 'create', '--name', 'Recipes under failure', '--json'])) as { tenantId: string };
  apiKey = (
    JSON.parse(await live.cli(['keys', 'create', '--tenant', tenantId, '--name', 'Recipe tests', '--rate-limit', '100000', '--json'])) as {
      secret: string;
    }
  ).secret;
  await live.cli(['seed', '--tenant', tenantId, '--logs', String(SEEDED_LOGS), '--monitoring-alerts', '0', '--security-alerts', '0']);
  // Discovered over the last two days, ending 10 minutes ago: inside the time-window recipe's windows.
  const now = Date.now();
  const high = Array.from({ length: HIGH_LOGS }, (_, i) => {
    const discoveredAt = new Date(now - 10 * 60_000 - i * 50_000);
    return JSON.stringify({
      occurredAt: new Date(discoveredAt.getTime() - 5_000).toISOString(),
      discoveredAt: discoveredAt.toISOString(),
      action: 'FileDownloaded',
      severity: 'high',
      actorName: `user${i % 50}@contoso.com`,
      actorType: 'user',
      actorIp: '20.42.73.5',
      resourceName: `report-${i}.xlsx`,
      resourceType: 'file',
      workload: 'SharePoint',
      applicationDisplayName: 'Microsoft SharePoint',
    });
  });
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const highFile = path.join(WORK_DIR, 'high-severity-events.ndjson');
  writeFileSync(highFile, `${high.join('\n')}\n`);
  await live.cli(['ingest', '--tenant', tenantId, '--type', 'logs', highFile]);
  const all = await everything('/logs/changes?limit=1000');
  // The seeded and ingested events, and the audit event (workload 1Security) of the key minted above.
  expect(all.length).toBe(LOGS + 1);
  averageLineBytes = all.reduce((sum, item) => sum + JSON.stringify(item).length + 1, 0) / all.length;
}, 300_000);

afterAll(async () => {
  await live?.close();
});

function scriptOf(recipe: Recipe): string {
  const snippets = readGuideCode().find((g) => g.guide === recipe.guide)?.snippets ?? [];
  const matching = recipe.match
    ? snippets.filter((s) => s.kind === 'typescript' && s.code.includes(recipe.match!))
    : snippets.filter((s) => s.file === recipe.file);
  if (matching.length !== 1) throw new Error(`guides/${recipe.guide}.md: expected one block for ${recipe.file}, found ${matching.length}`);
  return matching[0]!.code;
}

/** Runs the recipe, as printed, against `origin`; `fileSizeLimitKiB` caps every file it writes. */
function runRecipe(recipe: Recipe, dir: string, origin: string, fileSizeLimitKiB?: number): Promise<CommandResult> {
  const script = path.join(dir, recipe.file);
  writeFileSync(script, `${withLiveOrigin(scriptOf(recipe), origin)}\n`, { mode: 0o755 });
  const env = { ...process.env, ONESEC_API_KEY: apiKey, ...recipe.env };
  const run = [script.endsWith('.ts') ? TSX : 'bash', script, ...recipe.args];
  const [command, ...args] =
    fileSizeLimitKiB === undefined ? run : ['bash', '-c', 'ulimit -f "$1" && shift && exec "$@"', 'with-ulimit', String(fileSizeLimitKiB), ...run];
  return runCommand(command!, args, { cwd: dir, env, timeoutMs: 120_000 });
}

/** The ids in the output, checking that every line is a whole JSON object. */
function deliveredIds(dir: string, recipe: Recipe): string[] {
  const file = path.join(dir, recipe.output);
  if (!existsSync(file) || !lstatSync(file).isFile()) return [];
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  expect(text.endsWith('\n'), `${recipe.output} ends in a half-written line`).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, index) => {
      try {
        return (JSON.parse(line) as Item).id;
      } catch {
        throw new Error(`${recipe.output} line ${index + 1} is not a whole JSON object: ${line.slice(0, 80)}…`);
      }
    });
}

function duplicatesOf(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

const transcriptOf = (result: CommandResult) =>
  `exit ${result.code}${result.timedOut ? ' (timed out)' : ''}\n--- stdout:\n${result.stdout.slice(-2000)}\n--- stderr:\n${result.stderr.slice(-2000)}`;

for (const recipe of RECIPES) {
  describe(`guides/${recipe.guide}.md: ${recipe.file} ${recipe.args.join(' ')}`.trim(), () => {
    for (const scenario of SCENARIOS) {
      it(`${scenario.name}: fails with a non-zero exit, then the next run delivers exactly the full set`, async () => {
        const dir = path.join(WORK_DIR, `${recipe.file}-${SCENARIOS.indexOf(scenario)}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        recipe.prepare?.(dir);
        const output = path.join(dir, recipe.output);

        // 1. The failing run.
        let failed: CommandResult;
        let pagesStored: number;
        if ('api' in scenario) {
          const proxy = await startFaultProxy(live.origin, scenario.api);
          try {
            failed = await runRecipe(recipe, dir, proxy.origin);
          } finally {
            await proxy.close();
          }
          expect(proxy.requests, 'the fault struck in the middle of the run').toBeGreaterThan(scenario.api.after);
          pagesStored = scenario.api.after;
        } else if (scenario.disk === 'full') {
          symlinkSync('/dev/full', recipe.delivery === 'append' ? output : `${output}.tmp`);
          failed = await runRecipe(recipe, dir, live.origin);
          if (recipe.delivery === 'append') unlinkSync(output);
          else expect(lstatSync(`${output}.tmp`, { throwIfNoEntry: false }), 'the export removes its temporary file').toBeUndefined();
          pagesStored = 0;
        } else {
          // Room for two and a half pages: the third page's write fails halfway (EFBIG, as
          // root too: a resource limit, not a permission).
          failed = await runRecipe(recipe, dir, live.origin, Math.floor((2.5 * PAGE * averageLineBytes) / 1024));
          pagesStored = 2;
        }
        expect(failed.code, `the failing run must fail\n${transcriptOf(failed)}`).not.toBe(0);
        expect(failed.timedOut).toBe(false);

        const afterFailure = deliveredIds(dir, recipe);
        expect(duplicatesOf(afterFailure), 'duplicates after the failed run').toEqual([]);
        if (recipe.delivery === 'append') {
          // Exactly the pages the API answered and the disk took; the cursor is right behind them.
          expect(afterFailure.length, transcriptOf(failed)).toBe(pagesStored * PAGE);
        } else {
          expect(existsSync(output), 'a failed export leaves no partial file').toBe(false);
        }

        // 2. Recovery: the API is back, the disk has room. The next run catches up.
        const recovered = await runRecipe(recipe, dir, live.origin);
        expect(recovered.code, `the run after recovery must succeed\n${transcriptOf(recovered)}`).toBe(0);
        const ids = deliveredIds(dir, recipe);
        const full = await recipe.fullSet(dir);
        expect(full.length).toBeGreaterThan(0);
        expect(duplicatesOf(ids), 'duplicates after recovery').toEqual([]);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual(full.map((item) => item.id).sort());
      }, 240_000);
    }
  });
}
