export type ReleaseErrorCode = 'NOT_BUILT' | 'COMMAND_FAILED' | 'NOT_AN_ARTIFACT' | 'KEY_UNREADABLE';

const hints: Record<ReleaseErrorCode, string> = {
  NOT_BUILT: 'run `npm run build` first (or `npm run release`, which builds)',
  COMMAND_FAILED:
    'read the command output above; `npm` needs its cache or the registry to write the lockfile',
  NOT_AN_ARTIFACT:
    'sign the tarball `npm run release` wrote, under its own name (release/locker-<version>.tar.gz)',
  KEY_UNREADABLE: 'pass --key with the private Ed25519 PEM made by `npm run sign-release -- keygen`',
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
