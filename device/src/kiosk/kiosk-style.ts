/**
 * The touchscreen's style sheet, served as /assets/kiosk.css (the CSP allows no inline style).
 * Landscape: one centred column. Portrait (1080×1920): status at the top, the keypad pushed into
 * the lower half, within reach from a wheelchair (EN 301 549 §8.3).
 */
export const kioskStyle = `
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
#speak { min-height: 72px; padding: 0 24px; margin-top: 16px; }
label { display: block; margin-top: 24px; }
input { font: inherit; font-size: 44px; width: 100%; padding: 12px; letter-spacing: 0.3em; background: #fff; color: #000; border: 3px solid var(--fg); border-radius: 12px; }
.keys { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; margin-top: 16px; }
.keys button { min-height: 88px; font-size: 40px; }
#staff { display: none; gap: 12px; margin-top: 24px; flex-wrap: wrap; }
#staff.shown { display: flex; }
#staff button { min-height: 88px; padding: 0 24px; }
@media (orientation: portrait) {
  body { display: flex; flex-direction: column; min-height: 100vh; }
  main { flex: 1; display: flex; flex-direction: column; width: 100%; }
  #code-form { margin-top: auto; }
  .keys { gap: 16px; }
  .keys button { min-height: 128px; font-size: 52px; }
}
`;
