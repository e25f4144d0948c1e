/**
 * Every way a restore is refused, with its HTTP status and the CLI's exit
 * code, in one table (the API and the CLI both map from it).
 */
export const BACKUP_ERRORS = {
  /** The body is not a backup file: not JSON, wrong format, a bad field. */
  invalid_file: { status: 400, exitCode: 2, message: 'Not a valid backup file' },
  /** The target already has subscribers, bindings, stored messages or SCA subscriptions, and `replace` was not asked for. */
  target_not_empty: { status: 409, exitCode: 3, message: 'The appliance already holds data' },
  /** Another restore is running on this appliance. */
  restore_in_progress: { status: 409, exitCode: 3, message: 'A restore is already running' },
} as const;

export type BackupErrorCode = keyof typeof BACKUP_ERRORS;

/** One field's problem (the path into the file, dot-separated: `subscribers.3.username`). */
export interface BackupFieldError {
  field: string;
  message: string;
}

export class BackupError extends Error {
  readonly status: number;
  readonly exitCode: number;

  constructor(
    readonly code: BackupErrorCode,
    message: string = BACKUP_ERRORS[code].message,
    readonly errors: readonly BackupFieldError[] = [],
  ) {
    super(message);
    this.name = 'BackupError';
    this.status = BACKUP_ERRORS[code].status;
    this.exitCode = BACKUP_ERRORS[code].exitCode;
  }
}
