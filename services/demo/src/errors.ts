/** An expected problem (missing binaries, a port in use, a stuck rollout): shown as its message, no stack. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}
