import { z } from 'zod';

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ).
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
// A host name or an IPv4 address; IPv6 references in brackets.
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^\[[0-9A-Fa-f:.]+\]$/;

const password = z
  .string({ error: 'password is required' })
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters');

export const createSubscriberSchema = z
  .object({
    username: z
      .string({ error: 'username is required' })
      .min(1, 'username is required')
      .max(64, 'must be at most 64 characters')
      .regex(USER, 'may contain only letters, digits and - _ . ! ~ * \' ( ) & = + $ , ; ? / or %XX escapes'),
    domain: z
      .string({ error: 'domain is required' })
      .min(1, 'domain is required')
      .max(64, 'must be at most 64 characters')
      .regex(DOMAIN, 'must be a host name or an IP address'),
    password,
  })
  .strict();
export type CreateSubscriberDto = z.infer<typeof createSubscriberSchema>;

export const updateSubscriberSchema = z.object({ password }).strict();
export type UpdateSubscriberDto = z.infer<typeof updateSubscriberSchema>;

export const listSubscribersSchema = z
  .object({
    search: z.string().max(128).optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    sort: z.enum(['username', 'domain', 'createdAt', 'updatedAt']).default('username'),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict();
export type ListSubscribersDto = z.infer<typeof listSubscribersSchema>;

export interface SubscriberView {
  id: number;
  username: string;
  domain: string;
  createdAt: string;
  updatedAt: string;
}
