import { describe, expect, it } from 'vitest';
import { Screen, type ScreenParams, type ScreenView } from '../runtime/screen.ts';
import { RecordingSpeech } from '../speech/recording-speech.ts';
import { type Language, languages } from './i18n.ts';
import { KioskSession } from './kiosk-session.ts';

const place = { compartment: 7, column: 2, row: 'top' };
/** Each screen a citizen (or the loading clerk) meets, as the runtime shows it. */
const screens: { name: string; view: ScreenView; params: ScreenParams }[] = [
  { name: 'welcome', view: 'welcome', params: {} },
  { name: 'wrong code', view: 'rejected', params: { reason: 'unknown_code', lockerId: null } },
  { name: 'wait', view: 'wait', params: { seconds: 40 } },
  { name: 'second factor', view: 'second_factor', params: { need: 'qr' } },
  {
    name: 'door open with place',
    view: 'door_open',
    params: { ...place, purpose: 'pickup', itemSensor: true },
  },
  { name: 'loading', view: 'door_open', params: { ...place, staff: true, label: null } },
  { name: 'thank you', view: 'done', params: { compartment: 7, outcome: 'picked_up' } },
];

const expected: Record<Language, string[]> = {
  nl: [
    'Typ uw code op het toetsenbord en bevestig, of toon uw QR-code aan de scanner. Druk op het sterretje om dit opnieuw te horen.',
    'Deze code is niet gekend.',
    'Te veel foute codes. Wacht 40 seconden.',
    'Toon nu ook de QR-code uit uw e-mail.',
    'Deur 7 is open. U vindt ze in kolom 2, bovenaan. Neem uw voorwerp en sluit de deur.',
    'Deur 7 is open: kolom 2, bovenaan.',
    'Dank u. Tot ziens!',
  ],
  fr: [
    'Tapez votre code sur le clavier et confirmez, ou présentez votre code QR au lecteur. Appuyez sur l’étoile pour réécouter.',
    'Ce code n’est pas connu.',
    'Trop de codes erronés. Attendez 40 secondes.',
    'Présentez maintenant aussi le code QR de votre e-mail.',
    'La porte 7 est ouverte. Elle se trouve dans la colonne 2, en haut. Prenez votre objet et fermez la porte.',
    'La porte 7 est ouverte : colonne 2, en haut.',
    'Merci. Au revoir !',
  ],
  en: [
    'Type your code on the keypad and confirm, or show your QR code to the scanner. Press the star key to hear this again.',
    'This code is not known.',
    'Too many wrong codes. Please wait 40 seconds.',
    'Now also show the QR code from your e-mail.',
    'Door 7 is open. You will find it in column 2, top. Take your item and close the door.',
    'Door 7 is open: column 2, top.',
    'Thank you. Goodbye!',
  ],
  de: [
    'Geben Sie Ihren Code auf der Tastatur ein und bestätigen Sie, oder zeigen Sie Ihren QR-Code am Scanner. Drücken Sie die Sterntaste, um dies erneut zu hören.',
    'Dieser Code ist nicht bekannt.',
    'Zu viele falsche Codes. Bitte warten Sie 40 Sekunden.',
    'Zeigen Sie jetzt auch den QR-Code aus Ihrer E-Mail.',
    'Tür 7 ist offen. Sie finden sie in Spalte 2, oben. Nehmen Sie Ihren Gegenstand und schließen Sie die Tür.',
    'Tür 7 ist offen: Spalte 2, oben.',
    'Danke. Auf Wiedersehen!',
  ],
};

function visit(defaultLanguage: Language = 'nl') {
  const screen = new Screen(() => 0);
  const speech = new RecordingSpeech();
  const session = new KioskSession({ screen, speech, defaultLanguage });
  session.start();
  return { screen, speech, session, said: () => speech.utterances.map((u) => `${u.language}: ${u.text}`) };
}

describe('KioskSession speaks the screen', () => {
  for (const language of languages)
    it(`says every screen in ${language}, in the words of the i18n table with the door's place spoken`, () => {
      const { screen, speech, session } = visit();
      session.choose(language);
      session.speak();
      for (const { view, params } of screens.slice(1)) screen.show(view, params);
      expect(speech.utterances).toEqual(expected[language].map((text) => ({ text, language })));
    });

  it('says how many digits are typed (never which) in the chosen language, only with speech on', () => {
    const { session, said } = visit();
    session.typed(2);
    session.speak();
    for (const language of languages) {
      session.choose(language);
      session.typed(3);
    }
    expect(said().filter((line) => /\b3\b/.test(line))).toEqual([
      'nl: Uw code: 3 cijfers getypt. Druk op Bevestigen als uw code volledig is.',
      'fr: Votre code : 3 chiffres tapés. Appuyez sur Confirmer quand votre code est complet.',
      'en: Your code: 3 digits typed. Press Confirm when your code is complete.',
      'de: Ihr Code: 3 Ziffern eingegeben. Drücken Sie Bestätigen, wenn Ihr Code vollständig ist.',
    ]);
    expect(said().some((line) => line.includes(' 2 '))).toBe(false);
  });

  it('is silent until asked, then repeats the current screen on every request', () => {
    const { screen, session, said } = visit();
    screen.show('second_factor', { need: 'pin' });
    expect(said()).toEqual([]);
    session.speak();
    session.speak();
    expect(said()).toEqual([
      'nl: Typ nu ook de pincode die u apart ontving.',
      'nl: Typ nu ook de pincode die u apart ontving.',
    ]);
  });

  it('says the screen again when the citizen changes language while speech is on', () => {
    const { session, said } = visit();
    session.speak();
    session.choose('fr');
    session.choose('fr');
    expect(said()).toEqual([`nl: ${expected.nl[0]}`, `fr: ${expected.fr[0]}`]);
  });

  it('stops at the end of the visit: back to the start screen, silent, in the default language', () => {
    const { screen, speech, session, said } = visit('nl');
    session.choose('de');
    session.speak();
    screen.show('rejected', { reason: 'unknown_code', lockerId: null });
    screen.show('welcome');
    expect(speech.stops).toBe(1);
    expect(session.speechOn).toBe(false);
    expect(session.language).toBe('nl');
    screen.show('rejected', { reason: 'unknown_code', lockerId: null });
    expect(said()).toEqual([`de: ${expected.de[0]}`, 'de: Dieser Code ist nicht bekannt.']);
  });

  it('stops when the page clears itself after inactivity', () => {
    const { screen, speech, session } = visit('fr');
    session.choose('en');
    session.speak();
    session.end();
    screen.show('wait', { seconds: 5 });
    expect(speech.utterances).toHaveLength(1);
    expect(speech.stops).toBe(1);
    expect(session.language).toBe('fr');
  });
});
