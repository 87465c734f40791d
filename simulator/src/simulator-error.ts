export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  constructor(
    readonly code: 'SIM_UNKNOWN_DOOR' | 'SIM_NOT_STARTED',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
