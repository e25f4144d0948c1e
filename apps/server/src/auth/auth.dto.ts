import { z } from 'zod';

export const loginSchema = z.object({
  username: z.string().min(1, 'username is required').max(64),
  password: z.string().min(1, 'password is required').max(1024),
});
export type LoginDto = z.infer<typeof loginSchema>;
