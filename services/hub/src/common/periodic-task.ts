import type { Logger } from '@nestjs/common';

/**
 * Runs `task` every `everyMs` in the background, one run at a time (a slow run delays the
 * next instead of overlapping it). A failing run is logged and the next one tries again;
 * `stop()` ends the schedule and waits for a run in progress, for clean shutdowns.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly what: string,
    private readonly everyMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.running.then(() =>
        this.task().then(
          () => undefined,
          (error: unknown) => this.logger.warn(`${this.what} failed: ${(error as Error).message}`),
        ),
      );
    }, this.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
