import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { FleetError } from '../../services/fleet-errors.ts';
import { esc } from './html.ts';

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
const assets: Record<string, { type: string; body: string }> = {
  'common.js': { type: 'text/javascript', body: asset('common.js') },
  'errors-nl.js': { type: 'text/javascript', body: asset('errors-nl.js') },
  'login.js': { type: 'text/javascript', body: asset('login.js') },
  'safe-next.js': { type: 'text/javascript', body: asset('safe-next.js') },
  'desk.js': { type: 'text/javascript', body: asset('desk.js') },
  'dashboard.js': { type: 'text/javascript', body: asset('dashboard.js') },
  'rollouts.js': { type: 'text/javascript', body: asset('rollouts.js') },
  'pages.css': { type: 'text/css', body: asset('pages.css') },
};

const csp =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

function page(title: string, script: string, main: string): string {
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} — dienstverleningsautomaten</title><link rel="stylesheet" href="/assets/pages.css">
<script type="module" src="/assets/${script}"></script></head>
<body><header><nav aria-label="Hoofdmenu"><a href="/desk">Balie</a> <a href="/dashboard">Dashboard</a> <a href="/docs">API</a>
<button type="button" id="logout" hidden>Afmelden</button></nav></header>
<main id="main"><h1>${esc(title)}</h1>${main}</main></body></html>`;
}

const pages: Record<string, string> = {
  '/login': page(
    'Aanmelden',
    'login.js',
    `<form id="login"><p><label for="username">Gebruikersnaam</label><input id="username" name="username" autocomplete="username" required></p>
<p><label for="password">Wachtwoord</label><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Aanmelden</button></p><p id="status" role="status" aria-live="polite"></p></form>`,
  ),
  '/desk': page(
    'Balie',
    'desk.js',
    `<section aria-labelledby="new-title"><h2 id="new-title">Nieuwe reservatie</h2>
<form id="create"><p><label for="name">Naam burger</label><input id="name" name="name" required autocomplete="off"></p>
<p><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="off"></p>
<p><label for="phone">GSM (+32…)</label><input id="phone" name="phone" autocomplete="off" pattern="\\+[0-9]{8,15}"></p>
<p><label for="language">Taal</label><select id="language" name="language"><option value="nl">Nederlands</option><option value="fr">Français</option><option value="en">English</option><option value="de">Deutsch</option></select></p>
<p><label for="channel">Bericht via</label><select id="channel" name="channel"><option value="email">e-mail</option><option value="sms">sms</option><option value="ebox">eBox</option></select></p>
<p><label for="itemType">Wat</label><select id="itemType" name="itemType" required></select></p>
<p><label for="locker">Automaat</label><select id="locker" name="lockerId" required></select></p>
<p id="needs" aria-live="polite"></p>
<p><button type="submit">Reservatie maken</button></p></form>
<p id="status" role="status" aria-live="polite"></p></section>
<section aria-labelledby="today-title"><h2 id="today-title">Werk per automaat</h2><div id="today"></div></section>`,
  ),
  '/dashboard': page(
    'Dashboard',
    'dashboard.js',
    `<p id="status" role="status" aria-live="polite"></p><div id="lockers"></div>
<section id="rollouts" aria-labelledby="rollouts-title"><h2 id="rollouts-title">Software-updates</h2><div id="rollout-list"></div></section>`,
  ),
};

/** The desk and IT pages (HTML shells; the data comes from the API) and their assets, under a strict CSP. */
export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const hidden = { schema: { hide: true } };
  app.get('/', hidden, async (_request, reply) => reply.redirect('/desk'));
  for (const [url, html] of Object.entries(pages))
    app.get(url, hidden, async (_request, reply) => {
      reply.type('text/html; charset=utf-8').header('content-security-policy', csp);
      return html;
    });
  app.get('/assets/:name', hidden, async (request, reply) => {
    const { name } = request.params as { name: string };
    // own names only: `__proto__`, `constructor` and the like are not assets
    const file = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!file) throw new FleetError('NOT_FOUND', `no asset ${name}`);
    reply.type(`${file.type}; charset=utf-8`).header('cache-control', 'no-cache');
    return file.body;
  });
}
