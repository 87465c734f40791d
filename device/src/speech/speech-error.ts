export type SpeechErrorCode = 'SPEECH_ENGINE_FAILED' | 'SPEECH_TIMEOUT';

/** The speech engine could not speak (missing, crashed, or stuck). */
export class SpeechError extends Error {
  constructor(
    readonly code: SpeechErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SpeechError';
  }
}
