/**
 * Runs one job per binding id: never two at once for the same binding (a request that
 * arrives while it runs is folded into one more run right after), at most `concurrency`
 * bindings at a time, and a failing run never affects the others.
 */
export class BindingScheduler {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly ready: string[] = [];
  private stopped = false;

  constructor(
    private readonly run: (bindingId: string) => Promise<void>,
    private readonly onError: (bindingId: string, error: unknown) => void,
    private readonly concurrency = 4,
  ) {}

  /**
   * Runs the binding's job within `delayMs`. A run already due sooner is kept, so a burst of
   * watch events costs one run, and a steady stream of them cannot postpone it for ever.
   */
  schedule(bindingId: string, delayMs = 0): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    const pending = this.timers.get(bindingId);
    if (pending && pending.due <= due) return;
    clearTimeout(pending?.timer);
    const timer = setTimeout(() => {
      this.timers.delete(bindingId);
      this.enqueue(bindingId);
    }, delayMs);
    this.timers.set(bindingId, { timer, due });
  }

  /** Drops everything pending and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.again.clear();
    this.ready.length = 0;
    await Promise.all(this.running.values());
  }

  private enqueue(bindingId: string): void {
    if (this.stopped) return;
    if (this.running.has(bindingId)) this.again.add(bindingId);
    else if (!this.ready.includes(bindingId)) this.ready.push(bindingId);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.ready.length > 0) {
      const bindingId = this.ready.shift()!;
      const done = this.run(bindingId)
        .catch((error: unknown) => this.onError(bindingId, error))
        .finally(() => {
          this.running.delete(bindingId);
          if (this.again.delete(bindingId)) this.enqueue(bindingId);
          else this.pump();
        });
      this.running.set(bindingId, done);
    }
  }
}
