import { Global, Logger, Module } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { loadSecretBox } from './encryption-keys.js';
import { SecretBox } from './secret-box.js';

/** The hub's SecretBox, for every module that keeps secrets at rest. */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [HUB_CONFIG],
      useFactory: (config: HubConfig) => {
        const logger = new Logger('CryptoModule');
        return loadSecretBox({
          configured: config.FLOTILLA_ENCRYPTION_KEYS,
          dataDir: config.FLOTILLA_DATA_DIR,
          warn: (message) => logger.warn(message),
        });
      },
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
