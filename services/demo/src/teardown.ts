/** Stop actions run newest first (agents before the hub, the hub before its database), each once. */
export class Teardown {
  private readonly steps: { what: string; stop: () => Promise<void> }[] = [];

  add(what: string, stop: () => Promise<void>): void {
    this.steps.push({ what, stop });
  }

  /** Runs every step even when one fails; reports failures through `warn`. */
  async run(warn: (line: string) => void): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.stop();
      } catch (error) {
        warn(`could not stop ${step.what}: ${(error as Error).message}`);
      }
    }
  }
}
