export type CommissioningErrorCode =
  | 'PORT_UNAVAILABLE'
  | 'NO_BOARDS_FOUND'
  | 'DUPLICATE_ADDRESS'
  | 'POLARITY_UNCONFIRMED'
  | 'NOTHING_MAPPED'
  | 'CONFIG_INVALID'
  | 'INSTALLER_GONE'
  | 'BAD_ARGUMENT';

const hints: Record<CommissioningErrorCode, string> = {
  PORT_UNAVAILABLE:
    'the port did not open: check the path (/dev/serial/by-id/…) or tcp:// address, and that the device service is stopped',
  NO_BOARDS_FOUND:
    'no board answered a status read: check power, the A/B pair, termination, the port path and the protocol',
  DUPLICATE_ADDRESS:
    'two boards answer on one address (garbled replies): set unique addresses on the DIP switches and run again',
  POLARITY_UNCONFIRMED:
    'the door opened by hand did not change exactly one lock bit: nothing is written; open exactly one door with the key, close it, and run again',
  NOTHING_MAPPED: 'no compartment could be mapped: nothing is written; see the report for each compartment',
  CONFIG_INVALID: 'the config the tool built does not pass the device schema: see the named fields',
  INSTALLER_GONE: 'the terminal closed before commissioning finished: nothing is written; run again',
  BAD_ARGUMENT: 'see `npm run commission -- --help`',
};

/** Why commissioning stopped without writing a config; the report still says everything it found. */
export class CommissioningError extends Error {
  override readonly name = 'CommissioningError';
  readonly hint: string;
  constructor(
    readonly code: CommissioningErrorCode,
    message: string,
  ) {
    super(`${code}: ${message} (${hints[code]})`);
    this.hint = hints[code];
  }
}
