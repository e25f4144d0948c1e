import { AdminUser } from '../auth/admin-user.entity.js';
import { Subscriber } from '../subscribers/subscriber.entity.js';

/** The TypeORM entities the admin API uses; engines use their own SQL. */
export const entities = [AdminUser, Subscriber];
