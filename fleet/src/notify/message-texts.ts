import type { Language } from '../domain/item-types.ts';
import type { NotificationKind } from '../store/notification-repo.ts';

export interface MessageFacts {
  itemName: string;
  ref: string;
  lockerName: string;
  address: string;
  /** A date the citizen reads: collect before, bring back before. */
  deadline: string;
  pin?: string;
  returnPin?: string;
  hasQr: boolean;
}

export interface MessageText {
  subject: string;
  lines: string[];
}

type Texts = Record<NotificationKind, (f: MessageFacts) => MessageText>;

const nl: Texts = {
  ready: (f) => ({
    subject: `Uw ${f.itemName} ligt klaar in de automaat (${f.ref})`,
    lines: [
      `Uw ${f.itemName} ligt klaar in de dienstverleningsautomaat ${f.lockerName}, ${f.address}. U kunt het dag en nacht afhalen tot ${f.deadline}.`,
      ...(f.hasQr ? ['Toon de QR-code uit dit bericht aan de scanner van de automaat.'] : []),
      ...(f.pin ? [`Of tik uw pincode in: ${f.pin}`] : ['Uw pincode krijgt u apart per sms.']),
      ...(f.returnPin
        ? [`Terugbrengen doet u in dezelfde automaat met de terugbrengcode ${f.returnPin}.`]
        : []),
    ],
  }),
  pin: (f) => ({
    subject: `Pincode ${f.ref}`,
    lines: [
      `Pincode voor uw ${f.itemName} (${f.ref}) in ${f.lockerName}: ${f.pin}. Samen met de QR-code uit de e-mail.`,
    ],
  }),
  expiry_reminder: (f) => ({
    subject: `Herinnering: haal uw ${f.itemName} af (${f.ref})`,
    lines: [
      `Uw ${f.itemName} ligt nog in ${f.lockerName}, ${f.address}. Haal het af vóór ${f.deadline}; daarna gaat het terug naar de balie.`,
    ],
  }),
  return_reminder: (f) => ({
    subject: `Herinnering: breng ${f.itemName} terug (${f.ref})`,
    lines: [
      `Breng ${f.itemName} terug vóór ${f.deadline} in ${f.lockerName}, ${f.address}, met uw terugbrengcode.`,
    ],
  }),
  overdue: (f) => ({
    subject: `Te laat: ${f.itemName} (${f.ref})`,
    lines: [
      `${f.itemName} had terug moeten zijn op ${f.deadline}. Breng het zo snel mogelijk terug in ${f.lockerName}.`,
    ],
  }),
};

const fr: Texts = {
  ready: (f) => ({
    subject: `Votre ${f.itemName} vous attend dans le distributeur (${f.ref})`,
    lines: [
      `Votre ${f.itemName} vous attend dans le distributeur ${f.lockerName}, ${f.address}, jour et nuit jusqu’au ${f.deadline}.`,
      ...(f.hasQr ? ['Présentez le code QR de ce message au lecteur du distributeur.'] : []),
      ...(f.pin
        ? [`Ou tapez votre code PIN : ${f.pin}`]
        : ['Votre code PIN vous est envoyé séparément par SMS.']),
      ...(f.returnPin ? [`Pour le retour, utilisez le même distributeur avec le code ${f.returnPin}.`] : []),
    ],
  }),
  pin: (f) => ({
    subject: `Code PIN ${f.ref}`,
    lines: [
      `Code PIN pour votre ${f.itemName} (${f.ref}) à ${f.lockerName} : ${f.pin}. À utiliser avec le code QR de l’e-mail.`,
    ],
  }),
  expiry_reminder: (f) => ({
    subject: `Rappel : retirez votre ${f.itemName} (${f.ref})`,
    lines: [
      `Votre ${f.itemName} est toujours à ${f.lockerName}, ${f.address}. Retirez-le avant le ${f.deadline}.`,
    ],
  }),
  return_reminder: (f) => ({
    subject: `Rappel : rapportez ${f.itemName} (${f.ref})`,
    lines: [
      `Rapportez ${f.itemName} avant le ${f.deadline} à ${f.lockerName}, ${f.address}, avec votre code de retour.`,
    ],
  }),
  overdue: (f) => ({
    subject: `En retard : ${f.itemName} (${f.ref})`,
    lines: [
      `${f.itemName} devait être rapporté le ${f.deadline}. Rapportez-le au plus vite à ${f.lockerName}.`,
    ],
  }),
};

const en: Texts = {
  ready: (f) => ({
    subject: `Your ${f.itemName} is ready in the locker (${f.ref})`,
    lines: [
      `Your ${f.itemName} is ready in the service locker ${f.lockerName}, ${f.address}. Collect it at any hour until ${f.deadline}.`,
      ...(f.hasQr ? ['Show the QR code in this message to the locker’s scanner.'] : []),
      ...(f.pin ? [`Or type your PIN: ${f.pin}`] : ['Your PIN comes separately by text message.']),
      ...(f.returnPin ? [`Bring it back to the same locker with the return code ${f.returnPin}.`] : []),
    ],
  }),
  pin: (f) => ({
    subject: `PIN ${f.ref}`,
    lines: [
      `PIN for your ${f.itemName} (${f.ref}) at ${f.lockerName}: ${f.pin}. Use it with the QR code from the e-mail.`,
    ],
  }),
  expiry_reminder: (f) => ({
    subject: `Reminder: collect your ${f.itemName} (${f.ref})`,
    lines: [
      `Your ${f.itemName} is still waiting at ${f.lockerName}, ${f.address}. Collect it before ${f.deadline}.`,
    ],
  }),
  return_reminder: (f) => ({
    subject: `Reminder: bring back the ${f.itemName} (${f.ref})`,
    lines: [
      `Bring the ${f.itemName} back before ${f.deadline} to ${f.lockerName}, ${f.address}, with your return code.`,
    ],
  }),
  overdue: (f) => ({
    subject: `Overdue: ${f.itemName} (${f.ref})`,
    lines: [
      `The ${f.itemName} was due back on ${f.deadline}. Please return it to ${f.lockerName} as soon as you can.`,
    ],
  }),
};

const de: Texts = {
  ready: (f) => ({
    subject: `Ihr ${f.itemName} liegt im Automaten bereit (${f.ref})`,
    lines: [
      `Ihr ${f.itemName} liegt im Serviceautomaten ${f.lockerName}, ${f.address}, rund um die Uhr bis ${f.deadline} bereit.`,
      ...(f.hasQr ? ['Halten Sie den QR-Code aus dieser Nachricht vor den Scanner des Automaten.'] : []),
      ...(f.pin ? [`Oder geben Sie Ihre PIN ein: ${f.pin}`] : ['Ihre PIN erhalten Sie getrennt per SMS.']),
      ...(f.returnPin
        ? [`Zurückgeben können Sie es im selben Automaten mit dem Rückgabecode ${f.returnPin}.`]
        : []),
    ],
  }),
  pin: (f) => ({
    subject: `PIN ${f.ref}`,
    lines: [
      `PIN für Ihren ${f.itemName} (${f.ref}) in ${f.lockerName}: ${f.pin}. Zusammen mit dem QR-Code aus der E-Mail.`,
    ],
  }),
  expiry_reminder: (f) => ({
    subject: `Erinnerung: ${f.itemName} abholen (${f.ref})`,
    lines: [
      `Ihr ${f.itemName} liegt noch in ${f.lockerName}, ${f.address}. Bitte bis ${f.deadline} abholen.`,
    ],
  }),
  return_reminder: (f) => ({
    subject: `Erinnerung: ${f.itemName} zurückgeben (${f.ref})`,
    lines: [
      `Bitte geben Sie ${f.itemName} bis ${f.deadline} in ${f.lockerName}, ${f.address}, mit Ihrem Rückgabecode zurück.`,
    ],
  }),
  overdue: (f) => ({
    subject: `Überfällig: ${f.itemName} (${f.ref})`,
    lines: [
      `${f.itemName} war am ${f.deadline} zurückzugeben. Bitte bringen Sie es so bald wie möglich zu ${f.lockerName}.`,
    ],
  }),
};

export const messageTexts: Record<Language, Texts> = { nl, fr, en, de };

const dateLocales: Record<Language, string> = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB', de: 'de-BE' };

export function formatDeadline(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(dateLocales[language], {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: 'Europe/Brussels',
  }).format(new Date(iso));
}
