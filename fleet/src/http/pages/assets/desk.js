import { api, el, say, signedIn } from './common.js';

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
      await api('POST', `/api/reservations/${reservation.id}/resend`);
      say(`Nieuwe codes voor ${reservation.ref} verstuurd.`);
    }
  } catch (error) {
    say(error.message);
  }
}

async function letter(reservation) {
  try {
    const html = await api('POST', `/api/reservations/${reservation.id}/letter`);
    const win = window.open('', '_blank');
    win.document.write(html);
    win.document.close();
  } catch (error) {
    say(error.message);
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
document.getElementById('create').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const citizen = { name: form.get('name'), language: form.get('language'), channel: form.get('channel') };
  if (form.get('email')) citizen.email = form.get('email');
  if (form.get('phone')) citizen.phone = form.get('phone');
  try {
    const r = await api('POST', '/api/reservations', {
      lockerId: form.get('lockerId'),
      itemType: form.get('itemType'),
      citizen,
    });
    say(`Reservatie ${r.ref} gemaakt: te laden in ${r.lockerId}.`);
    event.target.reset();
    await refresh(lockers);
  } catch (error) {
    say(`Niet gelukt: ${error.message}`);
  }
});
await refresh(lockers);
const live = new EventSource('/api/live');
live.onmessage = () => void refresh(lockers);
document.body.dataset.ready = me.role;
