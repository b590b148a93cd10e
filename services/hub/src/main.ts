import { createHubApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.js';
import { ensureDatabase } from './database/ensure-database.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (await ensureDatabase(config.FLOTILLA_DATABASE_URL)) {
    process.stdout.write(`created database ${new URL(config.FLOTILLA_DATABASE_URL).pathname.slice(1)}\n`);
  }
  const { app, generatedAdminPassword } = await createHubApp(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Finish in-flight requests and close the database pool, then exit 0 (a clean stop, not a crash).
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  await app.listen(config.FLOTILLA_PORT, config.FLOTILLA_HOST);
  const address = app.getHttpServer().address() as { port: number };
  const base = `http://localhost:${address.port}`;
  process.stdout.write(`Flotilla hub API: ${base}/api/v1\nOpenAPI docs:     ${base}/docs\n`);
  if (generatedAdminPassword) {
    // Deliberately outside the JSON log stream: shown this once, never stored in clear.
    process.stdout.write(
      `\nCreated platform admin "admin" with generated password (shown only now):\n  ${generatedAdminPassword}\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`flotilla hub: ${error.message}\n`);
  } else {
    process.stderr.write(
      `flotilla hub failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
});
