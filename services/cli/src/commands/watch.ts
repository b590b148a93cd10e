import type { Command } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import type { HubClient } from '../http/client.js';
import { api, get } from '../http/request.js';
import { parseSse, type ServerEvent } from '../http/sse.js';
import { paint } from '../output/colour.js';
import type { Printer } from '../output/printer.js';
import { examples } from './help.js';
import { withSession } from './session.js';

const MAX_BACKOFF_MS = 30_000;

/** One line per event: `time event data` for people, a JSON object per line with -o json. */
export function eventLine(event: ServerEvent, json: boolean, now = new Date()): string {
  let data: unknown = event.data;
  try {
    data = JSON.parse(event.data);
  } catch {
    // plain-text data is shown as it is
  }
  if (json) return JSON.stringify({ event: event.event, id: event.id ?? null, data });
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return `${now.toISOString()}  ${event.event}  ${text}`;
}

async function* decode(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const bytes of body) yield decoder.decode(bytes, { stream: true });
}

/** Follows the stream until interrupted; after a drop it reconnects with Last-Event-ID and backoff. */
async function follow(
  client: HubClient,
  printer: Printer,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
) {
  let lastId: string | undefined;
  let backoff = 1000;
  while (!signal.aborted) {
    let why = 'the hub closed the stream';
    try {
      const response = await client.open(get(api`/events`, query), {
        accept: 'text/event-stream',
        headers: lastId ? { 'last-event-id': lastId } : {},
        signal,
        timeoutMs: null,
      });
      backoff = 1000;
      for await (const event of parseSse(decode(response.body!))) {
        lastId = event.id ?? lastId;
        printer.line(eventLine(event, printer.format === 'json'));
      }
    } catch (error) {
      if (signal.aborted) return;
      // Auth and permission answers will not get better by retrying.
      const retryable = [ExitCode.error, ExitCode.unavailable] as number[];
      if (error instanceof CliError && !retryable.includes(error.exitCode)) throw error;
      why = `connection lost (${(error as Error).message})`;
    }
    if (signal.aborted) return;
    process.stderr.write(paint('yellow', `${why}; reconnecting in ${backoff / 1000}s\n`, process.stderr));
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

export function registerWatch(program: Command): void {
  examples(
    program
      .command('watch')
      .description('print live changes (server-sent events) as they happen; Ctrl-C to stop')
      .option('-t, --tenant <slug>', 'events of one tenant')
      .action(
        withSession(async (s, flags: { tenant?: string }) => {
          const stop = new AbortController();
          process.once('SIGINT', () => stop.abort());
          await follow(s.client(), s.printer, { tenant: flags.tenant }, stop.signal);
        }),
      ),
    'flotilla watch',
    'flotilla watch -t team-a -o json | jq .data',
  );
}
