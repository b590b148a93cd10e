const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress on stderr so stdout stays clean. On a terminal it redraws one line; elsewhere (CI
 * logs) it prints a line only when the message changes.
 */
export class Spinner {
  private frame = 0;
  private message = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(message: string): void {
    if (message === this.message) return;
    this.message = message;
    if (!this.stream.isTTY) {
      this.stream.write(`${message}\n`);
      return;
    }
    this.timer ??= setInterval(() => this.draw(), 100);
    this.draw();
  }

  stop(finalLine?: string): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.stream.isTTY) this.stream.write('\r\x1b[2K');
    if (finalLine) this.stream.write(`${finalLine}\n`);
  }

  private draw(): void {
    this.frame = (this.frame + 1) % frames.length;
    this.stream.write(`\r\x1b[2K${frames[this.frame]} ${this.message}`);
  }
}
