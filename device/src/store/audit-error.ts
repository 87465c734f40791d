export type AuditErrorCode = 'AUDIT_KEY_MISSING' | 'AUDIT_BOUNDARY_MISSING';

const hints: Record<AuditErrorCode, string> = {
  AUDIT_KEY_MISSING:
    'the store was opened without the audit key (secrets.auditKey); door openings cannot be audited without it',
  AUDIT_BOUNDARY_MISSING:
    "the database has no 'audit_keyed_from_seq' mark (written by migration 2): it was edited outside the locker; restore a backup",
};

export class AuditError extends Error {
  override readonly name = 'AuditError';
  readonly hint: string;
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(`${code}: ${message} (${hints[code]})`);
    this.hint = hints[code];
  }
}
