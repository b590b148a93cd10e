import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { pinoHttp } from 'pino-http';
import { AppModule } from './app.module.js';
import { jsonBody } from './common/json-body.js';
import { createLogger, PinoNestLogger } from './common/logger.js';
import { requestId } from './common/request-id.js';
import type { HubConfig } from './config/config.js';
import { HubMetrics } from './health/metrics.js';
import { webhookBody, WEBHOOK_PATH } from './repositories/webhook-body.js';
import { AdminBootstrap } from './users/admin-bootstrap.js';

export interface HubApp {
  app: INestApplication;
  /** Set only on the start that created `admin` with a generated password. */
  generatedAdminPassword?: string;
}

/**
 * Builds a ready (migrated, initialised, not yet listening) hub. main.ts and the medium
 * tests both start the hub through here, so tests exercise the real middleware stack.
 */
export async function createHubApp(config: HubConfig): Promise<HubApp> {
  const logger = createLogger(config.FLOTILLA_LOG_LEVEL);
  const metrics = new HubMetrics();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, metrics), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  app.disable('x-powered-by');
  app.use(
    pinoHttp({ logger, genReqId: requestId, autoLogging: { ignore: (req) => req.url === '/metrics' } }),
  );
  app.use(metrics.middleware());
  // Before the JSON parser: webhook signatures are over the raw bytes.
  app.use(WEBHOOK_PATH, webhookBody());
  app.use(jsonBody(config.FLOTILLA_BODY_LIMIT));
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApiConfig()), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  await app.init();
  const admin = await app.get(AdminBootstrap).ensure(config.FLOTILLA_ADMIN_PASSWORD);
  return { app, generatedAdminPassword: admin.generatedPassword };
}

export function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('Flotilla hub API')
    .setDescription(
      'Multi-tenant GitOps hub. Authenticate with `POST /api/v1/auth/login` (JWT) or an API token ' +
        '(`flt_…`), both as `Authorization: Bearer …`. Errors are application/problem+json. Each operation ' +
        'lists the permission it needs in `x-flotilla-permission`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
}
