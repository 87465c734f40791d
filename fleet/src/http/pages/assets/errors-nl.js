// The pages speak Dutch: API error codes (stable, English messages for programs) in words for staff.
const words = {
  AUTH_REQUIRED: 'Je bent niet (meer) aangemeld. Meld je opnieuw aan.',
  TOKEN_INVALID: 'Je aanmelding is niet (meer) geldig. Meld je opnieuw aan.',
  LOGIN_FAILED: 'Gebruikersnaam of wachtwoord klopt niet.',
  LOGIN_RATE_LIMITED: 'Te veel mislukte aanmeldingen. Probeer het later opnieuw.',
  LOGIN_BUSY: 'Veel aanmeldingen tegelijk. Probeer het binnen enkele seconden opnieuw.',
  USER_DISABLED: 'Deze account is uitgeschakeld. Vraag het aan een beheerder.',
  ROLE_FORBIDDEN: 'Dat mag je met jouw rol niet doen.',
  CSRF_FAILED: 'Deze pagina is verouderd. Laad ze opnieuw.',
  SCOPE_FORBIDDEN: 'Dat valt buiten jouw gemeenten.',
  NOT_FOUND: 'Niet gevonden, of niet van jouw gemeenten.',
  LOCKER_DECOMMISSIONED: 'Deze automaat is buiten gebruik gesteld. Kies een andere automaat.',
  ITEM_TYPE_UNKNOWN: 'Dit soort item is niet ingesteld.',
  ITEM_DOES_NOT_FIT: 'Dit past in geen enkel vak van deze automaat. Kies een andere automaat.',
  CONTACT_MISSING: 'Voor het gekozen kanaal is een e-mailadres of gsm-nummer nodig.',
  SECOND_CHANNEL_MISSING:
    'Een identiteitsdocument heeft twee kanalen nodig: de QR-code per e-mail of eBox, de PIN per sms naar een gsm-nummer.',
  IDEMPOTENCY_KEY_REUSED: 'Dit formulier werd al verstuurd met andere gegevens. Laad de pagina opnieuw.',
  RESERVATION_NOT_CANCELLABLE: 'Deze reservatie kan niet meer geannuleerd worden.',
  RESERVATION_NOT_WAITING: 'Het item ligt niet (meer) in de automaat.',
  PIN_SPACE_EXHAUSTED: 'Er kon geen nieuwe PIN gekozen worden. Probeer het opnieuw.',
  BROKER_UNAVAILABLE:
    'De automaten zijn even niet bereikbaar: er is niets verstuurd. Probeer het zo meteen opnieuw.',
  BODY_TOO_LARGE: 'Te veel gegevens in één keer.',
  INTERNAL: 'Er ging iets mis bij ons; het is genoteerd. Probeer het opnieuw of verwittig IT.',
};

// request fields as the forms name them
const fields = {
  'body.citizen.name': 'naam burger',
  'body.citizen.email': 'e-mail',
  'body.citizen.phone': 'gsm-nummer (+32…)',
  'body.citizen.language': 'taal',
  'body.citizen.channel': 'bericht via',
  'body.itemType': 'wat',
  'body.lockerId': 'automaat',
  'body.reason': 'reden',
  'body.username': 'gebruikersnaam',
  'body.password': 'wachtwoord',
};

/** An error of `api()` in Dutch: a validation error names the fields to correct. */
export function inDutch(error) {
  if (error.code === 'VALIDATION_FAILED') {
    const paths = [...String(error.message).matchAll(/(?:^|; )([\w.]+):/g)].map((m) => m[1]);
    const named = [...new Set(paths.map((path) => fields[path] ?? 'een veld'))];
    return `Kijk dit na: ${named.join(', ') || 'de gegevens'}.`;
  }
  if (words[error.code]) return words[error.code];
  if (!error.status) return 'De server is niet bereikbaar. Controleer de verbinding en probeer opnieuw.';
  return `Dat lukte niet (foutcode ${error.code ?? error.status}).`;
}
