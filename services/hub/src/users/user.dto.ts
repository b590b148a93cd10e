import { z } from 'zod';
import { name } from '../common/slug.js';
import type { UserEntity } from './user.entity.js';

export const password = z.string().min(12, 'must be at least 12 characters').max(1024);

export const createUserSchema = z
  .object({
    username: name,
    password,
    displayName: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(320).optional(),
  })
  .strict();
export type CreateUserDto = z.infer<typeof createUserSchema>;

export const resetPasswordSchema = z.object({ password }).strict();
export type ResetPasswordDto = z.infer<typeof resetPasswordSchema>;

export function toUserDto(user: UserEntity) {
  return {
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    source: user.source,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}
