import { ArgumentMetadata, Body, Param, PipeTransform, Query } from '@nestjs/common';
import { z } from 'zod';
import { Problem } from './problem.js';

/** Parses a body or query with a zod schema; every issue comes back as a named field in the 400. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly field = '',
  ) {}

  transform(value: unknown, _meta: ArgumentMetadata): z.output<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw Problem.validation(
      result.error.issues.flatMap((issue) => {
        const path = [this.field, ...issue.path].filter((part) => part !== '').join('.');
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((key) => ({
            field: path ? `${path}.${key}` : key,
            message: 'unknown field',
          }));
        }
        return [{ field: path, message: issue.message }];
      }),
    );
  }
}

export const ValidBody = (schema: z.ZodType) => Body(new ZodPipe(schema));
export const ValidQuery = (schema: z.ZodType) => Query(new ZodPipe(schema));
export const UuidParam = (name: string) => Param(name, new ZodPipe(z.uuid('must be a UUID'), name));

/** OpenAPI schema object for a zod schema, for @ApiBody / @ApiResponse. */
export function openApi(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
