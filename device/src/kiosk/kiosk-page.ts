import { texts } from './i18n.ts';

/**
 * The citizen's touchscreen page: one file, no build step, no external requests. Status lines are
 * announced through an aria-live region and with a short tone; large targets, high contrast.
 */
export function kioskPage(): string {
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dienstverleningsautomaat</title>
<style>
  :root { --bg: #000; --fg: #fff; --accent: #ffd400; --key: #1d1d1d; }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--fg); font: 28px/1.4 system-ui, sans-serif; }
  header { display: flex; justify-content: space-between; align-items: center; padding: 16px 24px; border-bottom: 2px solid var(--accent); }
  h1 { font-size: 32px; margin: 0; }
  nav button { min-width: 72px; min-height: 64px; margin-left: 8px; }
  main { padding: 24px; max-width: 900px; margin: 0 auto; }
  #status { font-size: 36px; min-height: 3.2em; padding: 16px; border: 3px solid var(--accent); border-radius: 12px; }
  button { font: inherit; background: var(--key); color: var(--fg); border: 3px solid var(--fg); border-radius: 12px; cursor: pointer; }
  button:focus-visible, input:focus-visible { outline: 6px solid var(--accent); outline-offset: 2px; }
  button[aria-pressed="true"] { background: var(--accent); color: #000; }
  label { display: block; margin-top: 24px; }
  input { font: inherit; font-size: 44px; width: 100%; padding: 12px; letter-spacing: 0.3em; background: #fff; color: #000; border: 3px solid var(--fg); border-radius: 12px; }
  .keys { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; margin-top: 16px; }
  .keys button { min-height: 88px; font-size: 40px; }
  #staff { display: none; gap: 12px; margin-top: 24px; flex-wrap: wrap; }
  #staff button { min-height: 88px; padding: 0 24px; }
</style>
</head>
<body>
<header>
  <h1 id="title"></h1>
  <nav aria-label="Taal / Langue / Language / Sprache">
    <button type="button" data-lang="nl" lang="nl">NL</button><button type="button" data-lang="fr" lang="fr">FR</button><button type="button" data-lang="en" lang="en">EN</button><button type="button" data-lang="de" lang="de">DE</button>
  </nav>
</header>
<main>
  <p id="status" role="status" aria-live="assertive" aria-atomic="true"></p>
  <form id="code-form" autocomplete="off">
    <label for="code" id="code-label"></label>
    <input id="code" name="code" inputmode="numeric" autocomplete="off" maxlength="200">
    <div class="keys">
      <button type="button" data-key="1">1</button><button type="button" data-key="2">2</button><button type="button" data-key="3">3</button>
      <button type="button" data-key="4">4</button><button type="button" data-key="5">5</button><button type="button" data-key="6">6</button>
      <button type="button" data-key="7">7</button><button type="button" data-key="8">8</button><button type="button" data-key="9">9</button>
      <button type="button" id="clear"></button><button type="button" data-key="0">0</button><button type="submit" id="ok"></button>
    </div>
  </form>
  <div id="staff" role="group">
    <button type="button" data-staff="load_next"></button>
    <button type="button" data-staff="bigger"></button>
    <button type="button" data-staff="retrieve_next"></button>
    <button type="button" data-staff="end"></button>
  </div>
</main>
<script>
const TEXTS = ${JSON.stringify(texts)};
let lang = 'nl';
let screen = { view: 'welcome', params: {} };
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
// a wait counts down on the page; the region is busy while it ticks, so a screen reader hears it once, then the end
let waitFor = { seq: -1, until: 0 };
let ticker;
function waitLine() {
  const left = Math.ceil((waitFor.until - Date.now()) / 1000);
  return left > 0 ? fill('wait', { seconds: left }) : fill('welcome', {});
}
function countDown() {
  $('status').setAttribute('aria-busy', 'true');
  ticker = setInterval(() => {
    if (Date.now() >= waitFor.until) { clearInterval(ticker); $('status').removeAttribute('aria-busy'); }
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
  document.documentElement.lang = lang;
  $('title').textContent = TEXTS[lang].title;
  $('code-label').textContent = TEXTS[lang].codeLabel;
  $('ok').textContent = TEXTS[lang].ok;
  $('clear').textContent = TEXTS[lang].clear;
  document.querySelectorAll('[data-staff]').forEach((b) => (b.textContent = TEXTS[lang][b.dataset.staff]));
  document.querySelectorAll('[data-lang]').forEach((b) => { b.setAttribute('aria-pressed', String(b.dataset.lang === lang)); b.setAttribute('aria-label', b.dataset.lang.toUpperCase() + ' ' + TEXTS[b.dataset.lang].language); });
  clearInterval(ticker);
  $('status').removeAttribute('aria-busy');
  if (screen.view === 'wait' && waitFor.seq !== screen.seq) waitFor = { seq: screen.seq, until: Date.now() + screen.params.seconds * 1000 };
  $('status').textContent = line(screen);
  if (screen.view === 'wait') countDown();
  $('staff').style.display = screen.view === 'staff' || (screen.params.staff && screen.view !== 'welcome') ? 'flex' : 'none';
  $('status').dataset.view = screen.view;
  if (withTone) tone(screen.view);
}
async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  if (res.ok) { screen = await res.json(); render(true); }
}
document.querySelectorAll('[data-lang]').forEach((b) => b.addEventListener('click', () => { lang = b.dataset.lang; render(false); }));
document.querySelectorAll('[data-key]').forEach((b) => b.addEventListener('click', () => { $('code').value += b.dataset.key; $('code').focus(); }));
document.querySelectorAll('[data-staff]').forEach((b) => b.addEventListener('click', () => post('/api/staff/' + b.dataset.staff)));
$('clear').addEventListener('click', () => { $('code').value = ''; });
$('code-form').addEventListener('submit', (e) => { e.preventDefault(); const code = $('code').value.trim(); $('code').value = ''; if (code) post('/api/code', { code }); });
const events = new EventSource('/api/screen/events');
events.onmessage = (m) => { const next = JSON.parse(m.data); if (next.seq !== screen.seq) { screen = next; render(true); if (next.view === 'welcome') lang = lang; } };
fetch('/api/screen').then((r) => r.json()).then((s) => { screen = s; render(false); });
render(false);
</script>
</body>
</html>`;
}
