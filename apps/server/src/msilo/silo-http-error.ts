import { HttpException } from '@nestjs/common';
import { SiloError } from '@pbx/msilo';

/** Which form field a msilo refusal is about, so the dashboard shows it beside that field. */
const FIELD: Record<string, string> = {
  bad_owner: 'to',
  address_too_long: 'to',
  bad_address: 'from',
  empty_body: 'body',
  body_too_large: 'body',
  content_type_too_long: 'contentType',
  reminders_disabled: 'sendTime',
  bad_send_time: 'sendTime',
};

/** A msilo refusal as the admin API's error body (with the field, when there is one); anything else unchanged. */
export function apiError(err: unknown): unknown {
  if (!(err instanceof SiloError)) return err;
  const field = FIELD[err.code];
  return new HttpException(
    { statusCode: err.status, message: err.message, ...(field ? { errors: [{ field, message: err.message }] } : {}) },
    err.status,
  );
}
