import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';

/** One field's problem, as every 400 of the API lists them. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Validates a request body or query against a zod schema. A failure is a 400
 * `{ statusCode, message: 'Validation failed', errors: [{ field, message }] }`
 * so the dashboard can show each message beside its field.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const r = this.schema.safeParse(value ?? {});
    if (r.success) return r.data;
    throw validationError(
      r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
    );
  }
}

export function validationError(errors: FieldError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, message: 'Validation failed', errors });
}

/** JSON Schema of a zod schema for @ApiBody / @ApiQuery in the OpenAPI description. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
