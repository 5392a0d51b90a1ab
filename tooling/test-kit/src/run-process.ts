import { spawn, type ChildProcess } from 'node:child_process';
import { killGroupOnExit, signalGroup } from './process-group';

export interface ProcessOptions {
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's standard input, which is then closed (it is closed in any case). */
  input?: string;
}

export interface RunProcessOptions extends ProcessOptions {
  /**
   * A ceiling for a hung command, not a measure: past it the whole process group is killed
   * and the promise rejects with everything the command printed. Default 10 minutes.
   */
  timeoutMs?: number;
}

export interface ProcessResult {
  /** The exit code; null when a signal ended it (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartedProcess {
  child: ChildProcess;
  /** The child's pid, which is also its process group's id. */
  pid: number;
  /** What it has printed so far. */
  output(): { stdout: string; stderr: string };
  /** Signals the whole process group (the command and anything it started). */
  signal(signal: NodeJS.Signals): void;
  /**
   * Resolves when it has exited and its output is complete; whatever it started and left behind
   * is killed then. Rejects if it could not be started (e.g. no such command).
   */
  exited: Promise<ProcessResult>;
}

export const RUN_PROCESS_TIMEOUT_MS = 600_000;

/**
 * Starts a command as its own process group, collecting its stdout and stderr, for a test that
 * acts on it while it runs (signals it, watches its effect). The group is killed should this
 * process end first. {@link runProcess} when only the result matters.
 */
export function startProcess(command: string, args: string[], options: ProcessOptions = {}): StartedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A command that exits without reading its input must not fail the run (EPIPE).
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input);
  const exited = new Promise<ProcessResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      // What it started must not outlive it, nor hold its output open.
      signalGroup(child, 'SIGKILL');
      // 'close': every output stream has ended, so nothing it printed is missing.
      child.once('close', () => resolve({ code, signal, stdout, stderr }));
    });
  });
  if (child.pid !== undefined) killGroupOnExit(child);
  return {
    child,
    pid: child.pid ?? -1,
    output: () => ({ stdout, stderr }),
    signal: (signal) => signalGroup(child, signal),
    exited,
  };
}

/**
 * Runs a command to its end as its own process group and returns its exit code and output.
 * Past `timeoutMs` the group is killed and the promise rejects, naming the command and what it
 * printed; it rejects too when the command cannot be started.
 */
export async function runProcess(
  command: string,
  args: string[],
  { timeoutMs = RUN_PROCESS_TIMEOUT_MS, ...options }: RunProcessOptions = {},
): Promise<ProcessResult> {
  const started = startProcess(command, args, options);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      started.signal('SIGKILL');
      const { stdout, stderr } = started.output();
      reject(
        new Error(
          `${[command, ...args].join(' ')} did not finish within ${timeoutMs} ms; its group was killed.\n` +
            `stdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([started.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
