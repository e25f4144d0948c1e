import { z } from 'zod';

/** `POST /api/backup/restore?replace=true`: replace what the appliance holds instead of refusing. */
export const restoreQuerySchema = z.object({
  replace: z
    .enum(['true', 'false', '1', '0'], { message: 'true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

export type RestoreQueryDto = z.infer<typeof restoreQuerySchema>;
