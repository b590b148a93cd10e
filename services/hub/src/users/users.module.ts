import { Module } from '@nestjs/common';
import { AdminBootstrap } from './admin-bootstrap.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController],
  providers: [UsersService, AdminBootstrap],
  exports: [AdminBootstrap],
})
export class UsersModule {}
