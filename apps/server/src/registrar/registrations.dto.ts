import { z } from 'zod';

const int = (min: number, max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(dflt);

/** GET /api/registrations query: server-side paging so 100k AoRs stay cheap. */
export const listRegistrationsSchema = z
  .object({
    search: z.string().max(256).optional(),
    page: int(1, 1_000_000, 1),
    pageSize: int(1, 500, 50),
    sort: z.enum(['aor', 'expires', 'contacts']).default('aor'),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict();
export type ListRegistrationsDto = z.infer<typeof listRegistrationsSchema>;
