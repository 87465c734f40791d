import { api, el, say, signedIn } from './common.js';
import { inDutch } from './errors-nl.js';

const states = {
  ready_to_load: 'te laden',
  loaded: 'geladen',
  notified: 'wacht op burger',
  picked_up: 'afgehaald',
  due: 'terug te brengen',
  returned: 'teruggebracht',
  expired: 'verlopen',
  retrieved: 'leeggemaakt',
  cancelled: 'geannuleerd',
};

const channelNames = { email: 'e-mail', sms: 'sms', ebox: 'eBox' };

/** Why a message failed, in words (the technical reason stays in the tooltip). */
function failure(message) {
  const missing = /^no (\w+) channel is configured/.exec(message.lastError ?? '');
  if (missing) return `geen ${channelNames[missing[1]] ?? missing[1]}-kanaal ingesteld`;
  return 'verzenden mislukt';
}

/** Where the reservation's newest message stands: queued, sent, failed and retrying, or given up. */
function messageStatus(message) {
  if (!message) return el('td', { class: 'message' }, '');
  const via = channelNames[message.channel] ?? message.channel;
  const attempts = message.attempts === 1 ? '1 poging' : `${message.attempts} pogingen`;
  const text =
    message.state === 'sent'
      ? `verstuurd via ${via}`
      : message.state === 'failed'
        ? `opgegeven na ${attempts} via ${via}: ${failure(message)}`
        : message.attempts === 0
          ? `in wachtrij (${via})`
          : `mislukt (${attempts}) via ${via}: ${failure(message)}; wordt opnieuw geprobeerd`;
  return el(
    'td',
    {
      class: 'message',
      'data-message-state': message.state,
      ...(message.lastError ? { title: message.lastError } : {}),
    },
    text,
  );
}

async function refresh(lockers) {
  const reservations = await api('GET', '/api/reservations?limit=500');
  const today = document.getElementById('today');
  today.replaceChildren(
    ...lockers.map((locker) => {
      const mine = reservations.filter((r) => r.lockerId === locker.id);
      return el(
        'section',
        { class: 'locker', 'aria-label': locker.name },
        el('h3', {}, `${locker.name} (${locker.id})`),
        mine.length === 0
          ? el('p', {}, 'Geen reservaties.')
          : el(
              'table',
              {},
              el(
                'thead',
                {},
                el(
                  'tr',
                  {},
                  el('th', {}, 'Ref'),
                  el('th', {}, 'Naam'),
                  el('th', {}, 'Wat'),
                  el('th', {}, 'Status'),
                  el('th', {}, 'Vak'),
                  el('th', {}, 'Bericht'),
                  el('th', {}, 'Acties'),
                ),
              ),
              el(
                'tbody',
                {},
                mine.map((r) =>
                  el(
                    'tr',
                    { 'data-reservation': r.id, 'data-state': r.state },
                    el('td', {}, r.ref),
                    el('td', {}, r.citizenName),
                    el('td', {}, r.itemType),
                    el('td', { class: 'state' }, states[r.state] ?? r.state),
                    el('td', {}, r.compartment ?? ''),
                    messageStatus(r.message),
                    el(
                      'td',
                      {},
                      ['loaded', 'notified'].includes(r.state)
                        ? [
                            el(
                              'button',
                              { type: 'button', class: 'secondary', onclick: () => act(r, 'resend') },
                              'Opnieuw sturen',
                            ),
                            el(
                              'button',
                              { type: 'button', class: 'secondary', onclick: () => letter(r) },
                              'Brief afdrukken',
                            ),
                          ]
                        : [],
                      ['ready_to_load', 'loaded', 'notified'].includes(r.state)
                        ? el(
                            'button',
                            { type: 'button', class: 'secondary', onclick: () => act(r, 'cancel') },
                            'Annuleren',
                          )
                        : [],
                    ),
                  ),
                ),
              ),
            ),
      );
    }),
  );
}

async function act(reservation, action) {
  try {
    if (action === 'cancel') {
      const reason = prompt(`Waarom annuleren (${reservation.ref})?`);
      if (!reason) return;
      await api('POST', `/api/reservations/${reservation.id}/cancel`, { reason });
      say(`${reservation.ref} geannuleerd.`);
    } else {
      const sure = confirm(
        `Nieuwe codes sturen voor ${reservation.ref}? De burger krijgt een nieuwe PIN en QR-code; de codes die hij al kreeg, werken daarna niet meer.`,
      );
      if (!sure) return;
      await api('POST', `/api/reservations/${reservation.id}/resend`);
      say(`Nieuwe codes voor ${reservation.ref} verstuurd.`);
    }
  } catch (error) {
    say(`Niet gelukt: ${inDutch(error)}`);
  }
}

async function letter(reservation) {
  const sure = confirm(
    `Brief afdrukken voor ${reservation.ref}? De brief krijgt nieuwe codes; de codes die de burger al kreeg, werken daarna niet meer.`,
  );
  if (!sure) return;
  try {
    const html = await api('POST', `/api/reservations/${reservation.id}/letter`);
    const win = window.open('', '_blank');
    win.document.write(html);
    win.document.close();
  } catch (error) {
    say(`Niet gelukt: ${inDutch(error)}`);
  }
}

const me = await signedIn();
const [lockers, types] = await Promise.all([api('GET', '/api/lockers'), api('GET', '/api/item-types')]);
document
  .getElementById('locker')
  .replaceChildren(...lockers.map((l) => el('option', { value: l.id }, `${l.name} (${l.municipalityId})`)));
document
  .getElementById('itemType')
  .replaceChildren(...types.map((t) => el('option', { value: t.id }, t.names.nl)));
/** Why the API refused a new reservation, in words for the clerk. */
function refusal(error, form) {
  const type = types.find((t) => t.id === form.get('itemType'));
  const locker = lockers.find((l) => l.id === form.get('lockerId'));
  if (error.code === 'ITEM_DOES_NOT_FIT')
    return `een ${type?.names.nl ?? 'item'} (maat ${type?.size ?? '?'}) past in geen enkel vak van ${locker?.name ?? 'deze automaat'}. Kies een andere automaat.`;
  return inDutch(error);
}

const createForm = document.getElementById('create');
const createButton = createForm.querySelector('button[type="submit"]');

/** What the chosen item and channel need, said before submit (the API refuses the same). */
function sayNeeds() {
  const type = types.find((t) => t.id === createForm.elements.namedItem('itemType').value);
  const channel = createForm.elements.namedItem('channel').value;
  const needs = type?.twoFactor
    ? `Voor een ${type.names.nl} is een gsm-nummer nodig: de PIN gaat per sms, de QR-code per e-mail of eBox (kies e-mail of eBox bij "Bericht via").`
    : channel === 'sms'
      ? 'Voor een bericht via sms is een gsm-nummer nodig.'
      : channel === 'email'
        ? 'Voor een bericht via e-mail is een e-mailadres nodig.'
        : '';
  document.getElementById('needs').textContent = needs;
}
createForm.addEventListener('change', sayNeeds);
createForm.addEventListener('reset', () => setTimeout(sayNeeds));
sayNeeds();
// One idempotency key per form fill: a double click or a second Enter sends the same key and gets
// the same reservation; any edit makes the next submit a new reservation.
let fillKey = '';
let sending = false;
createForm.addEventListener('input', () => {
  fillKey = '';
});

// An expired session sends the clerk to sign in: the form (and its key) wait in this tab for the return.
const draftKey = 'desk.new-reservation';
window.addEventListener('session-expired', () => {
  const fields = Object.fromEntries(new FormData(createForm));
  sessionStorage.setItem(draftKey, JSON.stringify({ fields, fillKey }));
});
const draft = sessionStorage.getItem(draftKey);
if (draft) {
  sessionStorage.removeItem(draftKey);
  const kept = JSON.parse(draft);
  for (const [name, value] of Object.entries(kept.fields)) {
    const field = createForm.elements.namedItem(name);
    if (field) field.value = value;
  }
  fillKey = kept.fillKey;
  say('Je was afgemeld. Het formulier is bewaard: kijk het na en klik opnieuw op "Reservatie maken".');
}
createForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (sending) return;
  const form = new FormData(createForm);
  const citizen = { name: form.get('name'), language: form.get('language'), channel: form.get('channel') };
  if (form.get('email')) citizen.email = form.get('email');
  if (form.get('phone')) citizen.phone = form.get('phone');
  fillKey ||= Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  sending = true;
  createButton.disabled = true;
  try {
    const r = await api(
      'POST',
      '/api/reservations',
      { lockerId: form.get('lockerId'), itemType: form.get('itemType'), citizen },
      { 'idempotency-key': fillKey },
    );
    say(`Reservatie ${r.ref} gemaakt: te laden in ${r.lockerId}.`);
    createForm.reset();
    fillKey = '';
    await refresh(lockers);
  } catch (error) {
    say(`Niet gelukt: ${refusal(error, form)}`);
  } finally {
    sending = false;
    createButton.disabled = false;
  }
});
await refresh(lockers);
const live = new EventSource('/api/live');
live.onmessage = () => void refresh(lockers);
document.body.dataset.ready = me.role;
