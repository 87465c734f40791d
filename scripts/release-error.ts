export type ReleaseErrorCode = 'NOT_BUILT' | 'COMMAND_FAILED';

const hints: Record<ReleaseErrorCode, string> = {
  NOT_BUILT: 'run `npm run build` first (or `npm run release`, which builds)',
  COMMAND_FAILED:
    'read the command output above; `npm` needs its cache or the registry to write the lockfile',
};

export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
  readonly hint: string;

  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
  ) {
    super(`${message} (${hints[code]})`);
    this.hint = hints[code];
  }
}
