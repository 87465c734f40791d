import { api, el, say, signedIn } from './common.js';
import './rollouts.js';

const stateNames = {
  free: 'vrij',
  reserved: 'gereserveerd',
  occupied: 'bezet',
  open: 'open',
  fault: 'defect',
  disabled: 'uit dienst',
};

function render(lockers) {
  document.getElementById('lockers').replaceChildren(
    ...lockers.map((l) => {
      const t = l.telemetry;
      return el(
        'section',
        { class: 'locker', 'data-locker': l.id, 'aria-label': `Automaat ${l.name}` },
        el(
          'h2',
          {},
          `${l.name} (${l.id}) `,
          el('span', { class: l.online ? 'online' : 'offline' }, l.online ? 'online' : 'offline'),
        ),
        el(
          'p',
          {},
          `Gemeente ${l.municipalityId} · laatst gezien ${l.lastSeen ? new Date(l.lastSeen).toLocaleString('nl-BE') : 'nooit'} · software ${l.software ?? '?'}`,
        ),
        t
          ? el(
              'p',
              { class: 'telemetry' },
              `Wachtrij ${t.outboxDepth} · bus-timeouts ${t.bus.timeouts ?? 0} · checksumfouten ${t.bus.checksumErrors ?? 0} · herverbindingen ${t.bus.reconnects ?? 0} · geheugen ${Math.round(t.rssBytes / 1048576)} MiB`,
            )
          : [],
        el(
          'div',
          { class: 'grid', role: 'list', 'aria-label': 'Vakken' },
          l.compartments.map((c) =>
            el(
              'div',
              {
                class: `cell ${c.state} door-${c.door}`,
                role: 'listitem',
                'data-compartment': c.number,
                'data-state': c.state,
              },
              el('strong', {}, `Vak ${c.number}${c.size ? ` (${c.size})` : ''}`),
              el('br'),
              `${stateNames[c.state] ?? c.state}${c.door === 'open' ? ', deur open' : ''}`,
              el('br'),
              el(
                'button',
                { type: 'button', class: 'secondary', onclick: () => command(l, c.number, 'open') },
                'Open',
              ),
              el(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  onclick: () => command(l, c.number, c.state === 'disabled' ? 'enable' : 'disable'),
                },
                c.state === 'disabled' ? 'In dienst' : 'Uit dienst',
              ),
            ),
          ),
        ),
        l.alarms.length
          ? el(
              'ul',
              { class: 'alarms', 'aria-label': 'Storingen en alarmen' },
              l.alarms.map((a) =>
                el(
                  'li',
                  { class: 'alarm' },
                  `${new Date(a.at).toLocaleString('nl-BE')}: ${a.kind} ${a.code}${a.compartment ? ` (vak ${a.compartment})` : ''} `,
                  el(
                    'button',
                    { type: 'button', class: 'secondary', onclick: () => acknowledge(a) },
                    'Gezien',
                  ),
                ),
              ),
            )
          : el('p', {}, 'Geen open alarmen.'),
      );
    }),
  );
}

async function command(locker, compartment, type) {
  const reason = prompt(`Reden (${type}, vak ${compartment} van ${locker.name})?`);
  if (!reason) return;
  try {
    await api('POST', `/api/lockers/${locker.id}/commands`, { type, compartment, reason });
    say(`Opdracht ${type} voor vak ${compartment} verstuurd.`);
  } catch (error) {
    say(error.message);
  }
}

async function acknowledge(alarm) {
  try {
    await api('POST', `/api/alarms/${alarm.id}/acknowledge`);
    await refresh();
  } catch (error) {
    say(error.message);
  }
}

let pending = false;
async function refresh() {
  if (pending) return;
  pending = true;
  try {
    render(await api('GET', '/api/lockers'));
  } finally {
    pending = false;
  }
}

await signedIn();
await refresh();
const live = new EventSource('/api/live');
live.onmessage = (message) => {
  const update = JSON.parse(message.data);
  if (update.kind === 'event')
    say(`${update.lockerId}: ${update.type}${update.compartment ? ` (vak ${update.compartment})` : ''}`);
  void refresh();
};
document.body.dataset.ready = 'yes';
