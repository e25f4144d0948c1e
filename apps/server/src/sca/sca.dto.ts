import { z } from 'zod';
import { UPDATABLE_STATES } from '@pbx/sca';

const aor = z.string({ error: 'aor is required' }).min(1, 'aor is required').max(255);
const index = z.number({ error: 'index must be a number' }).int('index must be a whole number').min(1, 'appearance indexes start at 1');

/** POST /api/sca/appearances/seize (sca.seize_appearance). */
export const seizeAppearanceSchema = z
  .object({ aor, contact: z.string({ error: 'contact is required' }).min(1, 'contact is required').max(255) })
  .strict();
export type SeizeAppearanceDto = z.infer<typeof seizeAppearanceSchema>;

/** POST /api/sca/appearances/update (sca.update_appearance). */
export const updateAppearanceSchema = z
  .object({
    aor,
    index,
    state: z.enum(UPDATABLE_STATES as [string, ...string[]], { error: `state must be one of ${UPDATABLE_STATES.join(', ')}` }),
    display: z.string().max(128).optional(),
  })
  .strict();
export type UpdateAppearanceDto = z.infer<typeof updateAppearanceSchema>;

/** POST /api/sca/appearances/release (sca.release_appearance). */
export const releaseAppearanceSchema = z.object({ aor, index }).strict();
export type ReleaseAppearanceDto = z.infer<typeof releaseAppearanceSchema>;
