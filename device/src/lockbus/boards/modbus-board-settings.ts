/** Which relay and which input serve each lock of a Modbus RTU board, and how to read the input. */
export interface ModbusBoardSettings {
  /** Relay channel (coil, from 0) of lock n at index n − 1. */
  coils: number[];
  /** Discrete input (from 0) wired to lock n's door sensor at index n − 1. */
  inputs: number[];
  /** Input value that means the door is closed; wiring decides, commissioning confirms. */
  closedInputValue: 0 | 1;
  /** Length of the board's timed pulse (Waveshare "flash on", 100 ms steps). */
  pulseMs: number;
}

/** Lock n on relay n − 1 and input n − 1; a closed door closes its reed contact (input active). */
export function defaultModbusBoardSettings(locks: number): ModbusBoardSettings {
  const channels = Array.from({ length: locks }, (_, i) => i);
  return { coils: channels, inputs: [...channels], closedInputValue: 1, pulseMs: 500 };
}
