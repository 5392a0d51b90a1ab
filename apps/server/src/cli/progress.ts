/**
 * A progress display on stderr: one line redrawn in place on a terminal (at most ten times a
 * second), a plain line every few seconds otherwise (CI logs, pipes), so the output stays
 * readable either way. `final` lines are always written, and end the line on a terminal.
 */
export class ProgressLine {
  #last = '';
  #lastDrawn = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly plainEveryMs = 2_000,
  ) {}

  update(text: string, { final = false }: { final?: boolean } = {}): void {
    const now = performance.now();
    if (this.stream.isTTY) {
      this.#last = final ? '' : text;
      if (final || now - this.#lastDrawn >= 100) {
        this.#lastDrawn = now;
        this.stream.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
      }
    } else if (final || now - this.#lastDrawn >= this.plainEveryMs) {
      this.#lastDrawn = now;
      this.stream.write(`${text}\n`);
    }
  }

  /** A message that must not be overwritten (e.g. a rejected line). */
  log(text: string): void {
    if (this.stream.isTTY && this.#last) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    if (this.stream.isTTY && this.#last) this.stream.write(this.#last);
  }

  /** Ends a redrawn line that was not ended by a `final` update. */
  done(): void {
    if (this.stream.isTTY && this.#last) this.stream.write('\n');
    this.#last = '';
  }
}
