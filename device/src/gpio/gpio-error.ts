export type GpioErrorCode = 'GPIO_DRIVER_MISSING' | 'GPIO_LINE_UNAVAILABLE' | 'GPIO_TOOL_FAILED';

/** A GPIO line could not be set up or driven; the message says which line and what to check. */
export class GpioError extends Error {
  constructor(
    readonly code: GpioErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GpioError';
  }
}
