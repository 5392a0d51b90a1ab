/**
 * Every shell and TypeScript snippet of the guides, run in order against a live API server
 * with a real key, so the docs cannot drift from the API. Conventions: test/support/snippets.ts.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFreshBuild } from './support/build';
import { DIST_DIR, DOCS_ROOT, REPO_ROOT, SNIPPETS_DIR } from './support/paths';
import { runCommand } from './support/run-command';
import { startLiveServer, type LiveServer } from './support/live-server';
import { DISPLAY_ONLY, jsonOutputOf, readGuideCode, shapeMismatches, withLiveOrigin, type Snippet } from './support/snippets';

const TSX = path.join(DOCS_ROOT, 'node_modules/.bin/tsx');
const TSC = path.join(DOCS_ROOT, 'node_modules/.bin/tsc');
const SNIPPET_TIMEOUT_MS = 120_000;

const guides = readGuideCode();

let live: LiveServer;
let apiKey: string;
let tenantId: string;

/** Lists the tests compare examples with need items: seed the tenant when it has none. */
async function ensureTenantHasData(): Promise<void> {
  const counts: Record<string, number | string> = {};
  for (const resource of ['logs', 'monitoring-alerts', 'security-alerts']) {
    const response = await fetch(`${live.baseUrl}/${resource}?limit=1`, { headers: { Authorization: `Bearer ${apiKey}` } });
    counts[resource] = response.ok ? ((await response.json()) as { data: unknown[] }).data.length : `HTTP ${response.status}`;
  }
  if (Object.values(counts).every((count) => count === 1)) return;
  try {
    await live.cli(['seed', '--tenant', tenantId, '--logs', '400', '--monitoring-alerts', '40', '--security-alerts', '40']);
  } catch (err) {
    console.warn(`\n  ⚠ the test tenant has no data (${JSON.stringify(counts)}) and \`admin seed\` failed: ${(err as Error).message.split('\n')[0]}\n`);
  }
}

beforeAll(async () => {
  ensureFreshBuild();
  live = await startLiveServer();
  tenantId = live.demo?.tenantId ?? (JSON.parse(await live.cli(['tenants', 'create', '--name', 'Docs snippets', '--json'])) as { tenantId: string }).tenantId;
  const key = JSON.parse(
    await live.cli(['keys', 'create', '--tenant', tenantId, '--name', 'Docs snippet tests', '--rate-limit', '100000', '--json']),
  ) as { secret: string };
  apiKey = key.secret;
  await ensureTenantHasData();
  rmSync(SNIPPETS_DIR, { recursive: true, force: true });
}, 300_000);

afterAll(async () => {
  await live?.close();
});

function workDirOf(guide: string): string {
  const dir = path.join(SNIPPETS_DIR, guide);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function snippetEnv(): NodeJS.ProcessEnv {
  return {
    ...live.env,
    ONESEC_API_KEY: apiKey,
    TENANT_ID: tenantId,
    ONESEC_REPO_ROOT: REPO_ROOT,
    NO_COLOR: '1',
  };
}

/** Shell snippets run as a reader would paste them, stopping at the first failing command. */
const SHELL_PRELUDE = [
  'set -eo pipefail',
  // Operator commands (`pnpm admin …`) are documented as run from the repository root.
  'pnpm() { command pnpm --dir "$ONESEC_REPO_ROOT" "$@"; }',
  '',
].join('\n');

async function runSnippet(snippet: Snippet) {
  const dir = workDirOf(snippet.guide);
  const code = withLiveOrigin(snippet.code, live.origin);
  if (snippet.kind === 'shell') {
    const file = path.join(dir, `snippet-${snippet.line}.sh`);
    writeFileSync(file, `${SHELL_PRELUDE}${code}\n`);
    return runCommand('bash', [file], { cwd: dir, env: snippetEnv(), timeoutMs: SNIPPET_TIMEOUT_MS });
  }
  const file = path.join(dir, `snippet-${snippet.line}.ts`);
  writeFileSync(file, `${code}\n`);
  return runCommand(TSX, [file], { cwd: dir, env: snippetEnv(), timeoutMs: SNIPPET_TIMEOUT_MS });
}

describe('the guides’ code blocks', () => {
  const blocks = guides.flatMap(({ guide, blocks }) => blocks.map((block) => ({ guide, block })));

  it('use a known language (shell and TypeScript run; the others are display-only)', () => {
    const unknown = blocks
      .filter(({ block }) => !['sh', 'bash', 'shell', 'ts', 'typescript'].includes(block.info.language))
      .filter(({ block }) => !DISPLAY_ONLY.has(block.info.language))
      .map(({ guide, block }) => `${guide}.md:${block.line} \`\`\`${block.info.language}`);
    expect(unknown).toEqual([]);
  });

  it('never mark an API call no-run', () => {
    const untested = blocks
      .filter(({ block }) => block.info.flags.has('no-run') && /\bcurl\b|\bfetch\(|createClient/.test(block.code))
      .map(({ guide, block }) => `${guide}.md:${block.line}`);
    expect(untested).toEqual([]);
  });

  it('keep no-run rare', () => {
    const noRun = blocks.filter(({ block }) => block.info.flags.has('no-run'));
    const runnable = guides.flatMap((g) => g.snippets);
    expect(noRun.length).toBeLessThan(runnable.length / 4);
  });
});

describe('the API reference', () => {
  it('renders the OpenAPI document the live server serves', async () => {
    const served = await (await fetch(`${live.baseUrl}/openapi.json`)).json();
    const published = JSON.parse(readFileSync(path.join(DIST_DIR, 'openapi.json'), 'utf8'));
    expect(published).toEqual(served);
  });
});

describe('TypeScript snippets', () => {
  it('compile against @1security/client and the Node.js types', async () => {
    const dir = path.join(SNIPPETS_DIR, 'typecheck');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = guides
      .flatMap((g) => g.snippets)
      .filter((s) => s.kind === 'typescript')
      .map((s) => {
        const name = `${s.guide}-${s.line}.ts`;
        writeFileSync(path.join(dir, name), `${s.code}\n`);
        return name;
      });
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../../../../tsconfig.base.json', compilerOptions: { noEmit: true }, files }, null, 2),
    );
    const result = await runCommand(TSC, ['-p', path.join(dir, 'tsconfig.json')], { cwd: dir, env: process.env, timeoutMs: 120_000 });
    expect(result.stdout + result.stderr, 'tsc errors in the guides’ TypeScript snippets').toBe('');
    expect(result.code).toBe(0);
  }, 150_000);
});

for (const { guide, snippets } of guides) {
  if (snippets.length === 0) continue;
  describe(`guides/${guide}.md`, () => {
    for (const snippet of snippets) {
      const name = `line ${snippet.line} (${snippet.kind}${snippet.expectStatus ? `, expect ${snippet.expectStatus}` : ''}${snippet.file ? `, file ${snippet.file}` : ''})`;

      if (snippet.file) {
        it(`${name} is written for the next snippets`, () => {
          writeFileSync(path.join(workDirOf(guide), snippet.file!), `${withLiveOrigin(snippet.code, live.origin)}\n`, { mode: 0o755 });
        });
        continue;
      }

      it(name, async () => {
        const mark = live.mark();
        const result = await runSnippet(snippet);
        const requests = await live.requestsSince(mark);
        const transcript = [
          `--- ${guide}.md line ${snippet.line}${result.timedOut ? ' (timed out)' : ''}, exit ${result.code}`,
          `--- requests: ${requests.map((r) => `${r.method} ${r.url} → ${r.status}`).join(', ') || 'none'}`,
          `--- stdout:\n${result.stdout.slice(-4000)}`,
          `--- stderr:\n${result.stderr.slice(-4000)}`,
        ].join('\n');

        expect(result.code, transcript).toBe(0);
        if (snippet.kind === 'typescript' || /\bcurl\b/.test(snippet.code)) {
          expect(requests.length, `the snippet made no request to the API\n${transcript}`).toBeGreaterThan(0);
        }
        const statuses = requests.map((r) => r.status);
        if (snippet.expectStatus !== undefined) {
          expect(statuses.at(-1), `the last response should be ${snippet.expectStatus}\n${transcript}`).toBe(snippet.expectStatus);
          statuses.pop();
        }
        expect(
          statuses.filter((status) => status >= 400),
          `unexpected error responses\n${transcript}`,
        ).toEqual([]);

        if (snippet.exampleJson !== undefined) {
          const example = JSON.parse(snippet.exampleJson) as unknown;
          let output: unknown;
          try {
            output = jsonOutputOf(result.stdout);
          } catch {
            throw new Error(`the JSON example after the snippet promises JSON output, but it printed something else\n${transcript}`);
          }
          expect(shapeMismatches(example, output), `the example response does not match the API's\n${transcript}`).toEqual([]);
        }
      }, SNIPPET_TIMEOUT_MS + 30_000);
    }
  });
}
