import { HttpException } from '@nestjs/common';
import { ScaError } from '@pbx/sca';

/** Which request field an SCA refusal is about. */
const FIELD: Partial<Record<ScaError['code'], string>> = {
  bad_aor: 'aor',
  bad_contact: 'contact',
  bad_index: 'index',
  bad_state: 'state',
  appearance_not_found: 'index',
  appearance_in_use: 'index',
};

/** An SCA refusal as the admin API's error body (status from the engine's error table); anything else unchanged. */
export function scaApiError(err: unknown): unknown {
  if (!(err instanceof ScaError)) return err;
  const field = FIELD[err.code];
  return new HttpException(
    { statusCode: err.httpStatus, code: err.code, message: err.message, ...(field ? { errors: [{ field, message: err.message }] } : {}) },
    err.httpStatus,
  );
}
