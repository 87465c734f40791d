import { texts } from './i18n.ts';

/**
 * The touchscreen's script, served as /assets/kiosk.js (the CSP allows no inline script). Each
 * citizen gets a clean screen: after `data-inactivity-ms` without a touch, or when the locker goes
 * back to its start screen, the typed digits are cleared, the language is the locker's default and
 * speech stops. The server keeps the chosen language for speech (the keypad's `*` speaks too).
 */
export function kioskScript(): string {
  return `'use strict';
const TEXTS = ${JSON.stringify(texts)};
const root = document.documentElement;
const defaultLang = root.dataset.defaultLang;
const inactivityMs = Number(root.dataset.inactivityMs);
let lang = defaultLang;
let screen = { view: 'welcome', params: {} };
let idleTimer;
const $ = (id) => document.getElementById(id);
const fill = (key, params) => (TEXTS[lang][key] || key).replace(/\\{(\\w+)\\}/g, (_, k) => params[k] ?? '');
function line(s) {
  const p = Object.assign({}, s.params);
  if (p.row) p.position = fill('position', { column: p.column, row: fill('row_' + p.row, {}) });
  switch (s.view) {
    case 'second_factor': return fill('second_factor_' + p.need, p);
    case 'door_open': return fill(p.staff ? 'door_open_staff' : p.purpose === 'return' ? 'door_open_return' : 'door_open', p);
    case 'done': return fill(p.outcome === 'picked_up' ? 'done_picked_up' : p.outcome === 'returned' ? 'done_returned' : 'done_other', p);
    case 'rejected': return fill('rejected_' + p.reason, p);
    case 'error': return fill('error_' + p.code, p);
    case 'staff': return fill('staff', p) + (p.note ? ' ' + fill('note_' + p.note, p) : '');
    case 'wait': return waitLine();
    default: return fill(s.view, p);
  }
}
// a wait counts down on the page (on the monotonic clock: a stepped wall clock moves no countdown); the region is
// busy while it ticks, so a screen reader hears it once, then the end
let waitFor = { seq: -1, until: 0 };
let ticker;
function waitLine() {
  const left = Math.ceil((waitFor.until - performance.now()) / 1000);
  return left > 0 ? fill('wait', { seconds: left }) : fill('welcome', {});
}
function countDown() {
  $('status').setAttribute('aria-busy', 'true');
  ticker = setInterval(() => {
    if (performance.now() >= waitFor.until) { clearInterval(ticker); $('status').removeAttribute('aria-busy'); }
    $('status').textContent = waitLine();
  }, 1000);
}
let ctx;
function tone(view) {
  try {
    ctx = ctx || new AudioContext();
    const o = ctx.createOscillator(); const g = ctx.createGain();
    o.frequency.value = view === 'rejected' || view === 'error' || view === 'wait' || view === 'suspended' ? 220 : view === 'door_reminder' ? 660 : 880;
    g.gain.value = 0.2; o.connect(g); g.connect(ctx.destination); o.start(); o.stop(ctx.currentTime + 0.25);
  } catch (e) {}
}
function render(withTone) {
  root.lang = lang;
  $('title').textContent = TEXTS[lang].title;
  $('code-label').textContent = TEXTS[lang].codeLabel;
  $('ok').textContent = TEXTS[lang].ok;
  $('clear').textContent = TEXTS[lang].clear;
  $('speak').textContent = TEXTS[lang].speak;
  document.querySelectorAll('[data-staff]').forEach((b) => (b.textContent = TEXTS[lang][b.dataset.staff]));
  document.querySelectorAll('[data-lang]').forEach((b) => { b.setAttribute('aria-pressed', String(b.dataset.lang === lang)); b.setAttribute('aria-label', b.dataset.lang.toUpperCase() + ' ' + TEXTS[b.dataset.lang].language); });
  clearInterval(ticker);
  $('status').removeAttribute('aria-busy');
  if (screen.view === 'wait' && waitFor.seq !== screen.seq) waitFor = { seq: screen.seq, until: performance.now() + screen.params.seconds * 1000 };
  $('status').textContent = line(screen);
  if (screen.view === 'wait') countDown();
  $('staff').classList.toggle('shown', screen.view === 'staff' || Boolean(screen.params.staff && screen.view !== 'welcome'));
  $('status').dataset.view = screen.view;
  if (withTone) tone(screen.view);
}
/** The next citizen starts from nothing: no digits, the default language, no speech. */
function resetSession() {
  clearTimeout(idleTimer);
  lang = defaultLang;
  $('code').value = '';
  render(false);
  tell('/api/session/end');
}
/** Untouched for inactivityMs on the start screen: cleared. Past it, the locker's own return to the start clears. */
function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => { if (screen.view === 'welcome') resetSession(); }, inactivityMs);
}
function show(next, withTone) {
  const backToStart = next.view === 'welcome' && screen.view !== 'welcome';
  screen = next;
  if (backToStart) resetSession(); else render(withTone);
}
function tell(url, body) {
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) }).catch(() => {});
}
/** Only the number of digits leaves the page, for speech. */
function typed() {
  tell('/api/typing', { digits: $('code').value.length });
}
async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  if (res.ok) show(await res.json(), true);
}
document.addEventListener('pointerdown', touched, true);
document.addEventListener('keydown', touched, true);
document.addEventListener('input', touched, true);
document.querySelectorAll('[data-lang]').forEach((b) => b.addEventListener('click', () => { lang = b.dataset.lang; render(false); tell('/api/session', { language: lang }); }));
$('speak').addEventListener('click', () => tell('/api/speech', { language: lang }));
document.querySelectorAll('[data-key]').forEach((b) => b.addEventListener('click', () => { $('code').value += b.dataset.key; $('code').focus(); typed(); }));
document.querySelectorAll('[data-staff]').forEach((b) => b.addEventListener('click', () => post('/api/staff/' + b.dataset.staff)));
$('clear').addEventListener('click', () => { $('code').value = ''; typed(); });
$('code-form').addEventListener('submit', (e) => { e.preventDefault(); const code = $('code').value.trim(); $('code').value = ''; if (code) post('/api/code', { code }); });
const events = new EventSource('/api/screen/events');
events.onmessage = (m) => { const next = JSON.parse(m.data); if (next.seq !== screen.seq) show(next, true); };
fetch('/api/screen').then((r) => r.json()).then((s) => { screen = s; render(false); });
render(false);
`;
}
