/**
 * Every error code the fleet answers with, its HTTP status and a default message: the one registry
 * the HTTP layer maps to `{"error":{"code","message"}}` and the OpenAPI document lists per route.
 */
export const errorCodes = {
  VALIDATION_FAILED: { status: 400, message: 'the request does not match its schema' },
  BAD_REQUEST: { status: 400, message: 'the request could not be read (malformed JSON or headers)' },
  ITEM_TYPE_UNKNOWN: { status: 400, message: 'the item type is not configured' },
  CONTACT_MISSING: { status: 400, message: 'the chosen channel needs the citizen’s e-mail or phone' },
  SECOND_CHANNEL_MISSING: { status: 400, message: 'identity documents need a second channel' },
  PASSWORD_TOO_SHORT: { status: 400, message: 'a staff password has at least 12 characters' },
  STAFF_PIN_INVALID: { status: 400, message: 'a staff PIN is 10 to 12 digits, not a run or a repeat' },
  SITE_ID_INVALID: { status: 400, message: 'a site id is 2–40 characters of a-z, 0-9 and -' },
  MUNICIPALITY_ID_INVALID: { status: 400, message: 'a municipality id is 2–40 characters of a-z, 0-9 and -' },
  LOCKER_ID_INVALID: { status: 400, message: 'a locker id is 2–63 characters of a-z, 0-9 and -' },
  RELEASE_MANIFEST_INVALID: {
    status: 400,
    message: 'x-signed-manifest must be the base64 of the .sig.json that sign-release wrote',
  },
  RELEASE_MANIFEST_MISMATCH: { status: 400, message: 'the signed manifest is not for this role and version' },
  RELEASE_BODY_MISSING: { status: 400, message: 'send the artifact as application/octet-stream' },
  RELEASE_TOO_LARGE: { status: 400, message: 'the artifact is larger than the fleet keeps' },
  RELEASE_SIZE_MISMATCH: { status: 400, message: 'the artifact’s size is not the signed manifest’s' },
  RELEASE_DIGEST_MISMATCH: { status: 400, message: 'the artifact’s SHA-256 is not the signed manifest’s' },
  ROLLOUT_NO_LOCKERS: { status: 400, message: 'the target has no locker in service' },
  ARGS: { status: 400, message: 'wrong command-line arguments' },
  AUTH_REQUIRED: { status: 401, message: 'sign in first (or send an API token)' },
  TOKEN_INVALID: { status: 401, message: 'the API token is unknown or revoked' },
  LOGIN_FAILED: { status: 401, message: 'wrong user name or password' },
  ROLE_FORBIDDEN: { status: 403, message: 'your role may not do this' },
  CSRF_FAILED: { status: 403, message: 'missing or wrong x-csrf-token header; reload the page' },
  SCOPE_FORBIDDEN: { status: 403, message: 'this is outside your municipalities' },
  USER_DISABLED: { status: 403, message: 'this account is disabled; ask an administrator' },
  METRICS_FORBIDDEN: { status: 403, message: 'metrics are for IT' },
  NOT_FOUND: { status: 404, message: 'it does not exist or is not yours to see' },
  ALARM_ALREADY_ACKNOWLEDGED: { status: 409, message: 'this alarm was already acknowledged' },
  LOCKER_DECOMMISSIONED: { status: 409, message: 'the locker is decommissioned' },
  LOCKER_EXISTS: { status: 409, message: 'the locker is already provisioned' },
  MUNICIPALITY_EXISTS: { status: 409, message: 'the municipality exists' },
  USERNAME_TAKEN: { status: 409, message: 'the user name is taken' },
  USER_ALREADY_DISABLED: { status: 409, message: 'the user is already disabled' },
  USER_NOT_DISABLED: { status: 409, message: 'the user is not disabled' },
  USER_IS_SELF: { status: 409, message: 'you cannot do this to your own account' },
  TOKEN_ALREADY_REVOKED: { status: 409, message: 'the token is already revoked' },
  RELEASE_EXISTS: { status: 409, message: 'this release is already uploaded' },
  ROLLOUT_STATE: { status: 409, message: 'the rollout’s state does not allow this' },
  RESERVATION_NOT_CANCELLABLE: { status: 409, message: 'the reservation can no longer be cancelled' },
  ITEM_DOES_NOT_FIT: {
    status: 409,
    message: 'the item fits no compartment of this locker; choose another locker',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    message: 'this Idempotency-Key was used for another request; send a new key for a new reservation',
  },
  RESERVATION_NOT_WAITING: { status: 409, message: 'the item is not waiting in the locker' },
  BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send application/json' },
  LOGIN_RATE_LIMITED: { status: 429, message: 'too many failed logins; try again later' },
  INTERNAL: { status: 500, message: 'something went wrong on our side; it is logged' },
  BROKER_UNAVAILABLE: {
    status: 503,
    message: 'the fleet is not connected to the MQTT broker: nothing was sent; try again shortly',
  },
  LOGIN_BUSY: { status: 503, message: 'too many logins at once; try again in a few seconds' },
  PIN_SPACE_EXHAUSTED: { status: 503, message: 'no unused PIN could be drawn' },
  AUDIT_MARK_MISSING: { status: 503, message: 'the audit_chain mark is missing; restore a backup' },
  AUDIT_KEY_MISSING: { status: 503, message: 'the store was opened without the audit key' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;
export type ErrorStatus = (typeof errorCodes)[ErrorCode]['status'];

/** Errors with stable codes; the HTTP status comes from the registry. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  readonly status: ErrorStatus;

  constructor(
    readonly code: ErrorCode,
    message: string = errorCodes[code].message,
  ) {
    super(message);
    this.status = errorCodes[code].status;
  }
}

export const notFound = (what: string) =>
  new FleetError('NOT_FOUND', `${what} does not exist or is not yours to see`);

/** The codes answered with `status`, for fastify's own errors (bad JSON, body too large…). */
export function codeForStatus(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return 'BAD_REQUEST';
}
