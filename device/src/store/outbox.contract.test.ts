import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceStore } from './device-store.ts';
import { MemoryOutbox, type Outbox } from './outbox.ts';

const stores: DeviceStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function sqliteOutbox(): Outbox {
  const store = DeviceStore.open(join(mkdtempSync(join(tmpdir(), 'outbox-')), 'device.db'));
  stores.push(store);
  return store.outbox;
}

describe.each([
  ['memory', () => new MemoryOutbox()],
  ['sqlite', sqliteOutbox],
])('outbox contract (%s)', (_name, make: () => Outbox) => {
  it('hands entries out in sequence order with contiguous sequence numbers', () => {
    const outbox = make();
    for (const id of ['a', 'b', 'c']) outbox.append(id, (seq) => `${id}:${seq}`);
    expect(outbox.peek(10).map((e) => e.payload)).toEqual(['a:1', 'b:2', 'c:3']);
    expect(outbox.peek(2)).toHaveLength(2);
    expect(outbox.depth()).toBe(3);
  });

  it('removes only what was acknowledged and never reuses a sequence number', () => {
    const outbox = make();
    outbox.append('a', (seq) => String(seq));
    outbox.append('b', (seq) => String(seq));
    outbox.remove(1);
    outbox.remove(2);
    expect(outbox.depth()).toBe(0);
    expect(outbox.append('c', (seq) => String(seq)).seq).toBe(3);
    outbox.remove(99);
    expect(outbox.depth()).toBe(1);
  });

  it('refuses the same event id twice', () => {
    const outbox = make();
    outbox.append('a', () => 'x');
    expect(() => outbox.append('a', () => 'y')).toThrow();
    expect(outbox.depth()).toBe(1);
  });
});
