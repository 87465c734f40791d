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
    expect(outbox.peekAfter(0, 10).map((e) => e.payload)).toEqual(['a:1', 'b:2', 'c:3']);
    expect(outbox.peekAfter(0, 2)).toHaveLength(2);
    expect(outbox.peekAfter(2, 10).map((e) => e.id)).toEqual(['c']);
    expect(outbox.depth()).toBe(3);
  });

  it('removes only what the fleet acknowledged by sequence number and id, and never reuses a sequence number', () => {
    const outbox = make();
    outbox.append('a', (seq) => String(seq));
    outbox.append('b', (seq) => String(seq));
    expect(outbox.acknowledge(1, 'b')).toBe(false);
    expect(outbox.acknowledge(1, 'a')).toBe(true);
    expect(outbox.acknowledge(1, 'a')).toBe(false);
    expect(outbox.acknowledge(2, 'b')).toBe(true);
    expect(outbox.depth()).toBe(0);
    expect(outbox.append('c', (seq) => String(seq)).seq).toBe(3);
    expect(outbox.acknowledge(99, 'c')).toBe(false);
    expect(outbox.depth()).toBe(1);
  });

  it('refuses the same event id twice', () => {
    const outbox = make();
    outbox.append('a', () => 'x');
    expect(() => outbox.append('a', () => 'y')).toThrow();
    expect(outbox.depth()).toBe(1);
  });
});
