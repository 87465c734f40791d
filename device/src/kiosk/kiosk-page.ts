import type { Language } from './i18n.ts';

export interface KioskPageOptions {
  /** The language every citizen's session starts in (and returns to). */
  defaultLanguage: Language;
  /** A session with no touch for this long is cleared. */
  inactivityMs: number;
}

/**
 * The citizen's touchscreen page: an HTML shell with its script and style as same-origin assets
 * (strict CSP), no external requests. Status lines are announced through an aria-live region and
 * with a short tone; large targets, high contrast.
 */
export function kioskPage({ defaultLanguage, inactivityMs }: KioskPageOptions): string {
  return `<!doctype html>
<html lang="${defaultLanguage}" data-default-lang="${defaultLanguage}" data-inactivity-ms="${inactivityMs}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dienstverleningsautomaat</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/kiosk.css">
<script src="/assets/kiosk.js" defer></script>
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
  <button type="button" id="speak"></button>
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
</body>
</html>`;
}
