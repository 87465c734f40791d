export type LockBusErrorCode =
  | 'UNLOCK_NOT_SENT'
  | 'UNLOCK_OUTCOME_UNKNOWN'
  | 'DOOR_JAMMED'
  | 'DOOR_ALREADY_OPEN'
  | 'BOARD_POLARITY_SUSPECT'
  | 'BOARD_OFFLINE'
  | 'UNKNOWN_LOCK'
  | 'BOARD_NO_REPLY'
  | 'BOARD_BAD_REPLY'
  | 'BUS_NOT_STARTED'
  | 'BUS_STOPPED';

/** Whether the unlock command reached the wire: `no` is safe to retry; `unknown` must not be resent. */
export type CommandSent = 'no' | 'yes' | 'unknown';

const hints: Record<LockBusErrorCode, string> = {
  UNLOCK_NOT_SENT: 'nothing was written to the bus; the unlock may be tried again',
  UNLOCK_OUTCOME_UNKNOWN:
    'the command may have reached the board; do not resend — check the door, then decide',
  DOOR_JAMMED:
    'the board took the command but the door did not open; check the lock and disable the compartment',
  DOOR_ALREADY_OPEN:
    'the door read open before the command, so nothing was sent and nothing opened; staff must close it first',
  BOARD_POLARITY_SUSPECT:
    'every door of this board read open at start: check boards[].kerongDialect.closedBitValue (Modbus: boards[].modbus.closedInputValue), or run commissioning to confirm the polarity (boards[].polarityConfirmed)',
  BOARD_OFFLINE:
    'the board does not answer, so nothing was sent; check its power and wiring, then try again when it is back',
  UNKNOWN_LOCK: 'the lock is not in the bus configuration; check board address and lock count',
  BOARD_NO_REPLY: 'the board did not answer; check power, address (DIP switches) and bus wiring',
  BOARD_BAD_REPLY:
    'the board answered with a frame that does not fit the protocol; check the protocol setting',
  BUS_NOT_STARTED: 'call start() before using the bus',
  BUS_STOPPED: 'the bus is stopping',
};

export class LockBusError extends Error {
  override readonly name = 'LockBusError';
  readonly hint: string;
  constructor(
    readonly code: LockBusErrorCode,
    message: string,
    readonly sent: CommandSent = 'no',
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message} (${hints[code]})`, options);
    this.hint = hints[code];
  }
}
