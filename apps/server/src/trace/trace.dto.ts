import { z } from 'zod';

/** POST /api/trace: at least one criterion; limits default to and are capped by core.trace_max_*. */
export const startTraceSchema = z
  .object({
    aor: z.string().min(3, 'must be user@domain').max(256).regex(/^(?:sips?:)?[^@\s]+@[^@\s]+$/, 'must be user@domain').optional(),
    callId: z.string().min(1).max(256).optional(),
    source: z
      .string()
      .max(64)
      .regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9A-Fa-f:]+\]?)(?::\d{1,5})?$/, 'must be an IP address, optionally with :port')
      .optional(),
    maxMessages: z.number().int().min(1).optional(),
    maxMinutes: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((v) => v.aor !== undefined || v.callId !== undefined || v.source !== undefined, {
    message: 'give an aor, a callId or a source to capture',
    path: ['aor'],
  });
export type StartTraceDto = z.infer<typeof startTraceSchema>;
