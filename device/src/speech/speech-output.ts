import type { Language } from '../kiosk/i18n.ts';

/** Speaks the citizen's screen aloud (EN 301 549 §5.1: closed functionality without sight). */
export interface SpeechOutput {
  /** Speaks `text`, cutting off whatever is still being said. Never throws: a failure is logged. */
  say(text: string, language: Language): void;
  /** Silence now. */
  stop(): void;
}
