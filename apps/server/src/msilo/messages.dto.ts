import { z } from 'zod';

const int = (min: number, max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(dflt);

/** GET /api/messages: the silo, filtered and paged on the server. */
export const listMessagesSchema = z
  .object({
    to: z.string().max(256).optional(),
    from: z.string().max(256).optional(),
    state: z.enum(['stored', 'scheduled', 'delivering']).optional(),
    page: int(1, 1_000_000, 1),
    pageSize: int(1, 500, 50),
  })
  .strict();
export type ListMessagesDto = z.infer<typeof listMessagesSchema>;

/** POST /api/messages: compose (delivered at once when the recipient answers, else stored; sendTime makes a reminder). */
export const composeMessageSchema = z
  .object({
    to: z.string({ error: 'to is required' }).min(1, 'to is required').max(255),
    from: z.string({ error: 'from is required' }).min(1, 'from is required').max(255),
    body: z.string({ error: 'body is required' }).min(1, 'body is required').max(65_535),
    contentType: z.string().max(32).optional(),
    /** Epoch seconds. */
    sendTime: z.number().int().positive().optional(),
  })
  .strict();
export type ComposeMessageDto = z.infer<typeof composeMessageSchema>;
