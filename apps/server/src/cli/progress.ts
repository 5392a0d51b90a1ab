/**
 * A progress display on stderr: one line redrawn in place on a terminal, an occasional
 * plain line otherwise (CI logs, pipes), so the output stays readable either way.
 */
export class ProgressLine {
  #last = '';
  #lastPrinted = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly everyMs = 2_000,
  ) {}

  update(text: string): void {
    this.#last = text;
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${text}`);
    } else if (Date.now() - this.#lastPrinted >= this.everyMs) {
      this.#lastPrinted = Date.now();
      this.stream.write(`${text}\n`);
    }
  }

  /** A message that must not be overwritten (e.g. a rejected line). */
  log(text: string): void {
    if (this.stream.isTTY && this.#last) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    if (this.stream.isTTY && this.#last) this.stream.write(this.#last);
  }

  done(): void {
    if (this.stream.isTTY && this.#last) this.stream.write('\n');
  }
}
