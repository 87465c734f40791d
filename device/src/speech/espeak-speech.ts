import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Language } from '../kiosk/i18n.ts';
import { SpeechError } from './speech-error.ts';
import type { SpeechOutput } from './speech-output.ts';

export interface EspeakOptions {
  /** The speech engine; called as `<command> -v <language> --stdout <text>`. */
  command: string;
  /** The WAV player; called as `<player> -q -D <device>`. */
  player: string;
  /** The ALSA device of the cabinet's speaker. */
  speakerDevice: string;
  /** The ALSA card name of a headset socket: used instead of the speaker while the card is present. */
  headsetCard?: string | undefined;
}

export const espeakDefaults: EspeakOptions = {
  command: 'espeak-ng',
  player: 'aplay',
  speakerDevice: 'default',
};

const timeouts = { renderMs: 10_000 } as const;

/** espeak-ng voices for the screen's languages. */
const voices: Record<Language, string> = { nl: 'nl', fr: 'fr', en: 'en', de: 'de' };

/**
 * Offline speech through espeak-ng (Debian package `espeak-ng`), played with aplay on the headset
 * when one is plugged in, else on the cabinet's speaker. One utterance at a time: a new one cuts
 * the old one off.
 */
export class EspeakSpeech implements SpeechOutput {
  private playing: ChildProcess[] = [];

  constructor(
    private readonly options: EspeakOptions,
    private readonly logger: Logger,
  ) {}

  say(text: string, language: Language): void {
    this.stop();
    const engine = this.engine(text, language);
    const player = spawn(this.options.player, ['-q', '-D', this.device()], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    engine.stdout.pipe(player.stdin);
    player.stdin.on('error', () => engine.kill());
    for (const child of [engine, player])
      child.on('error', (error) =>
        this.logger.warn(
          { code: 'SPEECH_ENGINE_FAILED', err: error },
          'speech output failed; is espeak-ng (and aplay) installed?',
        ),
      );
    this.playing = [engine, player];
  }

  stop(): void {
    for (const child of this.playing) child.kill();
    this.playing = [];
  }

  /** The WAV file espeak-ng makes of `text` (what `say` plays). */
  render(text: string, language: Language): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const engine = this.engine(text, language);
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        engine.kill();
        reject(
          new SpeechError(
            'SPEECH_TIMEOUT',
            `${this.options.command} gave no WAV within ${timeouts.renderMs} ms`,
          ),
        );
      }, timeouts.renderMs);
      engine.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      engine.on('error', (error) => {
        clearTimeout(timer);
        reject(new SpeechError('SPEECH_ENGINE_FAILED', `${this.options.command}: ${error.message}`));
      });
      engine.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(Buffer.concat(chunks));
        else reject(new SpeechError('SPEECH_ENGINE_FAILED', `${this.options.command} exited with ${code}`));
      });
    });
  }

  /** espeak-ng writing the WAV of `text` to its standard output. */
  private engine(text: string, language: Language) {
    return spawn(this.options.command, ['-v', voices[language], '--stdout', text], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  }

  private device(): string {
    const { headsetCard, speakerDevice } = this.options;
    return headsetCard && existsSync(`/proc/asound/${headsetCard}`)
      ? `plughw:CARD=${headsetCard}`
      : speakerDevice;
  }
}
