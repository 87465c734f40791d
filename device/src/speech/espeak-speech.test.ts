import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Screen } from '../runtime/screen.ts';
import { EspeakSpeech, espeakDefaults } from './espeak-speech.ts';
import { SpeechError } from './speech-error.ts';
import { utterance } from './utterance.ts';

const espeakMissing = spawnSync(espeakDefaults.command, ['--version']).error !== undefined;
if (espeakMissing)
  console.warn('espeak-ng is not installed (apt-get install -y espeak-ng): the real speech test is skipped');

const logger = pino({ level: 'silent' });

describe('EspeakSpeech', () => {
  it.skipIf(espeakMissing)('makes a non-empty WAV of a Dutch utterance with the real espeak-ng', async () => {
    const state = new Screen(() => 0).show('door_open', { compartment: 4, column: 1, row: 'bottom' });
    const wav = await new EspeakSpeech(espeakDefaults, logger).render(utterance(state, 'nl'), 'nl');
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(wav.subarray(8, 12).toString('latin1')).toBe('WAVE');
    // more than a second of 22.05 kHz 16-bit mono: a whole sentence, not a click
    expect(wav.length).toBeGreaterThan(44 + 22_050 * 2);
  });

  it('reports a missing engine as SPEECH_ENGINE_FAILED', async () => {
    const speech = new EspeakSpeech({ ...espeakDefaults, command: '/nonexistent/espeak-ng' }, logger);
    await expect(speech.render('Dag', 'nl')).rejects.toMatchObject({
      constructor: SpeechError,
      code: 'SPEECH_ENGINE_FAILED',
    });
  });
});
