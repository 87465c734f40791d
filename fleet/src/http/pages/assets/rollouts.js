// The dashboard's software-update section: each rollout's version, stage, progress, failures with
// their reason, where it stopped, and pause / resume / abort (admins; the API refuses others).
import { api, el, say } from './common.js';

const rolloutStates = {
  running: 'loopt',
  paused: 'gepauzeerd',
  aborted: 'afgebroken',
  stopped: 'gestopt',
  done: 'klaar',
};
const failed = ['refused', 'failed', 'update_rolled_back'];

function render(rollouts) {
  document.getElementById('rollout-list').replaceChildren(
    ...(rollouts.length === 0 ? [el('p', {}, 'Geen rollouts.')] : []),
    ...rollouts.map((r) => {
      const healthy = r.lockers.filter((l) => l.state === 'healthy').length;
      const stages = Math.max(...r.lockers.map((l) => l.stage)) + 1;
      return el(
        'section',
        { class: 'rollout', 'data-rollout': r.id, 'data-state': r.state },
        el('h3', {}, `Versie ${r.version}: ${rolloutStates[r.state] ?? r.state}`),
        el(
          'p',
          {},
          `Fase ${r.stage + 1} van ${stages} · ${healthy} van ${r.lockers.length} automaten gezond`,
          r.stoppedReason ? ` · gestopt in fase ${r.stage + 1}: ${r.stoppedReason}` : '',
        ),
        el(
          'ul',
          { 'aria-label': `Automaten van versie ${r.version}` },
          r.lockers.map((l) =>
            el(
              'li',
              { class: failed.includes(l.state) ? 'alarm' : '', 'data-locker': l.lockerId },
              `${l.lockerId} (fase ${l.stage + 1}): ${l.state}${l.code ? ` — ${l.code}` : ''}${l.message ? `: ${l.message}` : ''}`,
            ),
          ),
        ),
        ['running', 'paused'].includes(r.state)
          ? [
              el(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  onclick: () => control(r, r.state === 'paused' ? 'resume' : 'pause'),
                },
                r.state === 'paused' ? 'Hervatten' : 'Pauzeren',
              ),
              el(
                'button',
                { type: 'button', class: 'secondary', onclick: () => control(r, 'abort') },
                'Afbreken',
              ),
            ]
          : [],
      );
    }),
  );
}

async function control(rollout, action) {
  try {
    await api('POST', `/api/rollouts/${rollout.id}/${action}`);
    say(`Rollout ${rollout.version}: ${action}.`);
    await refresh();
  } catch (error) {
    say(error.message);
  }
}

async function refresh() {
  try {
    render(await api('GET', '/api/rollouts'));
  } catch {
    // desk staff do not see rollouts
    document.getElementById('rollouts').hidden = true;
  }
}

await refresh();
setInterval(() => void refresh(), 5000);
