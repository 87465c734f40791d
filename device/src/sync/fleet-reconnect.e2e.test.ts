import { MqttLocker, seededRandom } from '@locker/simulator';
import { TestBroker } from '@locker/test-kit/locker';
import { afterAll, describe, expect, it, vi } from 'vitest';

const count = 40;
const broker = new TestBroker();
const lockers: MqttLocker[] = [];

afterAll(async () => {
  await Promise.all(lockers.map((locker) => locker.stop()));
  await broker.stop();
});

describe('reconnect after a broker restart (real aedes broker on loopback)', () => {
  it(`${count} lockers spread their reconnects with jitter instead of coming back in lock-step, and all come back`, async () => {
    await broker.start();
    for (let i = 0; i < count; i++)
      lockers.push(
        new MqttLocker(`herd-${i}`, {
          url: broker.url,
          password: 'unused-by-the-test-broker',
          reconnect: { random: seededRandom(1000 + i) },
        }),
      );
    await Promise.all(lockers.map((locker) => locker.start()));

    await broker.stop();
    await vi.waitFor(() => expect(lockers.every((l) => l.reconnects.length > 0)).toBe(true), {
      timeout: 10_000,
    });
    await broker.start();
    await vi.waitFor(() => expect(lockers.every((l) => l.connected && l.connects === 2)).toBe(true), {
      timeout: 30_000,
      interval: 50,
    });

    // the first attempt after the loss, as each locker scheduled it with its own seeded jitter
    const first = lockers.map((l) => l.reconnects[0]!);
    expect(first.every((s) => s.attempt === 0 && s.delayMs >= 0 && s.delayMs < 1000)).toBe(true);
    const delays = first.map((s) => s.delayMs).sort((a, b) => a - b);
    // spread over the whole first window (a fixed reconnectPeriod puts them all at 1000 ms)
    expect(delays.at(-1)! - delays[0]!).toBeGreaterThan(800);
    // no crowd: at most a few lockers in any 10 ms
    const crowd = Math.max(...delays.map((d) => delays.filter((x) => x >= d && x < d + 10).length));
    expect(crowd).toBeLessThanOrEqual(3);
    // later attempts (if the broker was still down) wait longer, never shorter ceilings
    for (const locker of lockers)
      locker.reconnects.forEach((s, i) => {
        expect(s.attempt).toBe(i);
      });
  });
});
