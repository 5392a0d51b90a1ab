import type { ResourceName } from './resource.registry';

interface ResourceProgress {
  items: number;
  caughtUp: boolean;
}

/**
 * Counts what was delivered. On a terminal it redraws one status line on stderr every
 * second (events/s, per-resource count, caught up or not); otherwise it stays quiet until
 * the summary line.
 */
export class ProgressReporter {
  readonly #started = Date.now();
  readonly #resources = new Map<ResourceName, ResourceProgress>();
  readonly #tty: boolean;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    resources: readonly ResourceName[],
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    for (const r of resources) this.#resources.set(r, { items: 0, caughtUp: false });
    this.#tty = Boolean(stream.isTTY);
    if (this.#tty) {
      this.#timer = setInterval(() => this.#draw(), 1000);
      this.#timer.unref();
    }
  }

  get total(): number {
    let sum = 0;
    for (const p of this.#resources.values()) sum += p.items;
    return sum;
  }

  delivered(resource: ResourceName, count: number): void {
    const p = this.#resources.get(resource)!;
    p.items += count;
    p.caughtUp = false;
  }

  caughtUp(resource: ResourceName): void {
    this.#resources.get(resource)!.caughtUp = true;
    if (this.#tty) this.#draw();
  }

  #rate(): string {
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001);
    return `${Math.round(this.total / seconds)} events/s`;
  }

  #positions(): string {
    return [...this.#resources].map(([r, p]) => `${r} ${p.items}${p.caughtUp ? ' (caught up)' : ''}`).join(', ');
  }

  #draw(): void {
    this.stream.write(`\r\x1b[2K${this.#positions()} · ${this.#rate()}`);
  }

  /** Stops the status line and writes the one-line summary. */
  finish(command: string, destination: string, outcome: string): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#tty) this.stream.write('\r\x1b[2K');
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(1);
    this.stream.write(
      `onesec ${command}: ${this.total} events to ${destination} (${this.#positions()}) in ${seconds} s, ${this.#rate()}; ${outcome}\n`,
    );
  }
}
