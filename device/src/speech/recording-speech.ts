import type { Language } from '../kiosk/i18n.ts';
import type { SpeechOutput } from './speech-output.ts';

/** Speech for tests: keeps every utterance and counts the stops. */
export class RecordingSpeech implements SpeechOutput {
  readonly utterances: { text: string; language: Language }[] = [];
  stops = 0;

  say(text: string, language: Language): void {
    this.utterances.push({ text, language });
  }

  stop(): void {
    this.stops++;
  }
}
