import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'pbx:public';

/** A route reachable without a bearer token (login, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
