import type { Screen, ScreenState } from '../runtime/screen.ts';
import type { SpeechOutput } from '../speech/speech-output.ts';
import { codeEntryUtterance, utterance } from '../speech/utterance.ts';
import type { Language } from './i18n.ts';

/**
 * One citizen's visit at the touchscreen: the language chosen and whether the screen is spoken.
 * Speech starts on request (the keypad's `*` or the page's button), speaks every later screen,
 * repeats on request, and stops with the session: when the locker returns to its start screen or
 * the page clears itself after inactivity. The next citizen starts in the default language.
 */
export class KioskSession {
  private spokenLanguage: Language;
  private speaking = false;
  private shown: ScreenState['view'];

  constructor(private readonly deps: { screen: Screen; speech: SpeechOutput; defaultLanguage: Language }) {
    this.spokenLanguage = deps.defaultLanguage;
    this.shown = deps.screen.current.view;
  }

  private readonly onChange = (state: ScreenState) => {
    const backToStart = state.view === 'welcome' && this.shown !== 'welcome';
    this.shown = state.view;
    if (backToStart) this.end();
    else if (this.speaking) this.sayCurrent();
  };

  get language(): Language {
    return this.spokenLanguage;
  }

  get speechOn(): boolean {
    return this.speaking;
  }

  start(): void {
    this.deps.screen.on('change', this.onChange);
  }

  stop(): void {
    this.deps.screen.off('change', this.onChange);
    this.deps.speech.stop();
  }

  /** The citizen chose a language; what is being spoken is said again in it. */
  choose(language: Language): void {
    if (language === this.spokenLanguage) return;
    this.spokenLanguage = language;
    if (this.speaking) this.sayCurrent();
  }

  /** Speech on, and the current screen said (again). */
  speak(): void {
    this.speaking = true;
    this.sayCurrent();
  }

  /** The citizen typed on the screen's keypad: with speech on, the number of digits is said. */
  typed(digits: number): void {
    if (this.speaking)
      this.deps.speech.say(codeEntryUtterance(digits, this.spokenLanguage), this.spokenLanguage);
  }

  /** The visit is over: silence, speech off, the default language. */
  end(): void {
    this.speaking = false;
    this.spokenLanguage = this.deps.defaultLanguage;
    this.deps.speech.stop();
  }

  private sayCurrent(): void {
    this.deps.speech.say(utterance(this.deps.screen.current, this.spokenLanguage), this.spokenLanguage);
  }
}
