/** Errors with stable codes; the HTTP layer maps `status` to the response. */
export class FleetError extends Error {
  override readonly name = 'FleetError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 429 | 503 = 400,
  ) {
    super(message);
  }
}

export const notFound = (what: string) =>
  new FleetError('NOT_FOUND', `${what} does not exist or is not yours to see`, 404);
