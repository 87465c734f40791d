import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MqttReconnector, type ReconnectSchedule, reconnectDelayMs } from './reconnect-backoff.ts';

const backoff = { baseMs: 1000, maxMs: 8000 };

describe('reconnect backoff schedule', () => {
  it('doubles the ceiling per attempt up to the cap, with the delay drawn uniformly below it', () => {
    const half = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 40].map((attempt) => reconnectDelayMs(attempt, half, backoff))).toEqual([
      500, 1000, 2000, 4000, 4000, 4000, 4000,
    ]);
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 9].map((attempt) => reconnectDelayMs(attempt, top, backoff))).toEqual([
      999, 1999, 3999, 7999, 7999,
    ]);
    expect(reconnectDelayMs(3, () => 0, backoff)).toBe(0);
  });

  it('spreads lockers with different jitter over the whole window', () => {
    const delays = Array.from({ length: 100 }, (_, i) => reconnectDelayMs(0, () => i / 100, backoff));
    expect(Math.min(...delays)).toBe(0);
    expect(Math.max(...delays)).toBe(990);
    expect(new Set(delays).size).toBe(100);
  });
});

class FakeClient extends EventEmitter {
  reconnects = 0;
  reconnect(): void {
    this.reconnects++;
  }
}

describe('MqttReconnector', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setUp() {
    vi.useFakeTimers();
    const client = new FakeClient();
    const schedules: ReconnectSchedule[] = [];
    let clock = 0;
    const reconnector = new MqttReconnector(client, {
      backoff: { ...backoff, stableMs: 30_000 },
      random: () => 0.5,
      now: () => clock,
      onSchedule: (schedule) => schedules.push(schedule),
    });
    reconnector.start();
    return { client, schedules, reconnector, advance: (ms: number) => (clock += ms) };
  }

  it('schedules one reconnect per close, each later than the one before, and none after stop', async () => {
    const { client, schedules, reconnector } = setUp();
    client.emit('close');
    client.emit('close'); // MQTT.js may report one loss twice: still one reconnect
    expect(schedules).toEqual([{ attempt: 0, delayMs: 500 }]);
    await vi.advanceTimersByTimeAsync(499);
    expect(client.reconnects).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.reconnects).toBe(1);
    client.emit('close'); // that attempt failed
    client.emit('close');
    await vi.advanceTimersByTimeAsync(1000);
    client.emit('close');
    expect(schedules.map((s) => s.delayMs)).toEqual([500, 1000, 2000]);
    reconnector.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    client.emit('close');
    expect(client.reconnects).toBe(2);
    expect(schedules).toHaveLength(3);
  });

  it('starts again from the first delay after a stable connection, not after a short one', async () => {
    const { client, schedules, advance } = setUp();
    client.emit('close');
    await vi.advanceTimersByTimeAsync(500);
    client.emit('close');
    await vi.advanceTimersByTimeAsync(1000);
    client.emit('connect');
    advance(5_000); // up for 5 s only: still backing off
    client.emit('close');
    await vi.advanceTimersByTimeAsync(2000);
    client.emit('connect');
    advance(30_000);
    client.emit('close');
    expect(schedules.map((s) => s.attempt)).toEqual([0, 1, 2, 0]);
  });
});
