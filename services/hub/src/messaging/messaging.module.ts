import { Global, Module } from '@nestjs/common';
import { AuthorityRepository } from './authority.repository.js';
import { HubMessaging } from './hub-messaging.service.js';
import { NatsAuthorityService } from './nats-authority.service.js';

/** NATS for every module: the authority (keys, revocation) and the hub's connection. */
@Global()
@Module({
  providers: [AuthorityRepository, NatsAuthorityService, HubMessaging],
  exports: [NatsAuthorityService, HubMessaging],
})
export class MessagingModule {}
