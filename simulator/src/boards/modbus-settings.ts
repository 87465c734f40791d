/** Lock n on relay n − 1 and door-sensor input n − 1. */
export interface SimModbusSettings {
  /** Input value a closed door gives (its reed contact closed: input active). */
  closedInputValue: 0 | 1;
}

export const simModbusDefaults: Readonly<SimModbusSettings> = { closedInputValue: 1 };
