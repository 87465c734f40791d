/**
 * Kerong CU48 frames, written only from the vendor's document, not from our codec:
 * "CU48 Protocol And Introduction", v2.1, KERONG Industry (HK) Co., Ltd., R&D Department, 2020-03-23
 * (public copy: github.com/Boudha25/CasierIntelligent, `Datasheet/cu48-protocol-and-introduction-v2.1.pdf`).
 * "p.N" is the page number printed on the document's page.
 *
 * - p.3 §1.1: 19200 Bd, 8 data bits, no parity, 1 stop bit.
 * - p.3 §2.1 (request): STX 0x02 · ADDR · LOCKNUM · CMD · ETX 0x03 · SUM. ADDR 0x00–0x0A, 0x0A = every board
 *   on the bus. LOCKNUM 0x00–0x30: 0x00 is lock No.1 (so lock n is n−1), 0x30 is all 48 locks.
 *   SUM = low byte of STX+ADDR+LOCKNUM+CMD+ETX. The table says "fixed length 32 bytes", but every example
 *   (p.5, p.6) is 6 bytes and the format lists 6 fields: 6 it is.
 * - p.3–4 §2.2 (reply): 12 bytes, STX · ADDR (0x00–0x09) · LOCKNUM ("nonsense, don't need to be dealt with")
 *   · CMD · DATA1…DATA6 · ETX · SUM (low byte of the sum of the 11 bytes before it). DATA1 bit 0 = lock 1 …
 *   DATA6 bit 7 = lock 48. "bit 0=0 means hook of lock No.1 is in unlocked status; bit 0=1 means … locked
 *   status", with the notice that the meaning "also can be opposite, it is up to the hook detective switch
 *   is NO or NC".
 * - p.5 §2.3: 0x50 get status; 0x51 unlock, "without returned data". §2.4: 0x65 status response.
 * - p.5 §2.5.1: `02 00 00 50 03 55` → `02 00 00 65 07 00 00 00 00 C0 03 31`, read by the document as
 *   "hook No.0x01, 0x02, 0x03, 0x2F, 0x30 are in locked status, other 43pcs are in unlocked status":
 *   a set bit is a LOCKED hook (door shut). Broadcast `02 0A 00 50 03 5F`: every board answers with its own
 *   12-byte reply, board 0x00 first, then 0x01.
 * - p.6 §2.5.2: unlock lock 1 of board 0 `02 00 00 51 03 56`, all 48 locks `02 00 30 51 03 86`, every lock of
 *   every board `02 0A 30 51 03 90`; response: "None".
 * - p.7 §2.6.2: the address is set on the board and must differ between boards on one bus.
 *
 * Cross-checked with public implementations (no code taken): Boudha25/CasierIntelligent `Cu48Communication.py`
 * + `main.py` (LOCKNUM = compartment − first compartment of the board, i.e. 0-based; same checksum; never
 * reads status) and a public TypeScript driver of the 0x60/0x61 → 0x75 variant (LOCKNUM = lock − 1; a set
 * status bit is CLOSED). Neither disagrees with the document. Issue 8 says the document reads a set bit as
 * open: its own text (p.3–4) and its decoded example (p.5 d) both say a set bit is a locked hook.
 */
export const cu48Document = {
  baudRate: 19_200,
  stx: 0x02,
  etx: 0x03,
  requestLength: 6,
  replyLength: 12,
  broadcastAddress: 0x0a,
  maxBoardAddress: 0x09,
  allLocks: 0x30,
  locksPerBoard: 48,
  commands: { getStatus: 0x50, unlock: 0x51 },
  statusReply: 0x65,
  /** p.5 §2.5.1: the reply's LOCKNUM is 0x00 in both examples. */
  replyLockByte: 0x00,
} as const;

/** p.3 §2.1 and p.4 §2.2: the low byte of the sum of every byte before SUM. */
export function cu48Checksum(bytes: Iterable<number>): number {
  let sum = 0;
  for (const byte of bytes) sum += byte;
  return sum & 0xff;
}

export interface Cu48Request {
  address: number;
  lockByte: number;
  command: number;
}

/** A 6-byte request as the document writes it (p.3 §2.1). */
export function cu48Request({ address, lockByte, command }: Cu48Request): Buffer {
  const head = [cu48Document.stx, address, lockByte, command, cu48Document.etx];
  return Buffer.from([...head, cu48Checksum(head)]);
}

/**
 * The 12-byte status reply (p.3–4 §2.2). `setBits[i]` is the bit of lock i+1; which door state a set bit
 * means is the board's wiring (NO or NC switch), not the frame's business.
 */
export function cu48StatusReply(address: number, setBits: readonly boolean[]): Buffer {
  const data = [0, 0, 0, 0, 0, 0];
  setBits.forEach((set, i) => {
    if (set) data[i >> 3]! |= 1 << (i & 7);
  });
  const head = [cu48Document.stx, address, cu48Document.replyLockByte, cu48Document.statusReply, ...data];
  const body = [...head, cu48Document.etx];
  return Buffer.from([...body, cu48Checksum(body)]);
}

/** Whether 6 bytes are a well-formed request: STX, ETX and SUM where the document puts them. */
export function isCu48Request(frame: Uint8Array): boolean {
  return (
    frame.length === cu48Document.requestLength &&
    frame[0] === cu48Document.stx &&
    frame[4] === cu48Document.etx &&
    frame[5] === cu48Checksum(frame.subarray(0, 5))
  );
}
