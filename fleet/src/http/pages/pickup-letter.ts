import type { ReservationRecord } from '../../store/reservation-repo.ts';
import { inlineHash } from '../inline-hash.ts';
import { esc } from './html.ts';

const letterStyle =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;color:#000}h1{font-size:1.6em}.qr svg{width:18em;height:18em}.code{font-size:2em;letter-spacing:.2em;font-weight:700}@media print{button{display:none}}';
const letterScript = "document.getElementById('print').addEventListener('click',()=>print())";

/** The letter's own style and print button, by hash; nothing else runs, loads or is framed. */
export const pickupLetterCsp = `default-src 'none'; style-src ${inlineHash(letterStyle)}; script-src ${inlineHash(letterScript)}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** The letter the desk prints for a citizen without e-mail: QR code, PIN, where and until when. */
export function pickupLetter(input: {
  record: ReservationRecord;
  itemName: string;
  lockerName: string;
  address: string;
  qrSvg: string;
  pin?: string;
  returnPin?: string;
}): string {
  const { record } = input;
  const until = record.expiresAt
    ? new Date(record.expiresAt).toLocaleString('nl-BE', { timeZone: 'Europe/Brussels' })
    : '';
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Afhaalbrief ${esc(record.ref)}</title>
<style>${letterStyle}</style>
</head><body>
<h1>Uw ${esc(input.itemName)} ligt klaar</h1>
<p>Beste ${esc(record.citizenName)},</p>
<p>U kunt het dag en nacht afhalen in de automaat <strong>${esc(input.lockerName)}</strong>, ${esc(input.address)}, tot ${esc(until)}.</p>
<div class="qr" role="img" aria-label="QR-code om af te halen">${input.qrSvg}</div>
${input.pin ? `<p>Pincode: <span class="code">${esc(input.pin)}</span></p>` : ''}
${input.returnPin ? `<p>Terugbrengcode: <span class="code">${esc(input.returnPin)}</span></p>` : ''}
<p>Referentie: ${esc(record.ref)}</p>
<button type="button" id="print">Afdrukken</button>
<script>${letterScript}</script>
</body></html>`;
}
