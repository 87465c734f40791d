import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../simulator.ts';
import { buildControlApp } from './control-app.ts';

let simulator: Simulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

async function app() {
  simulator = new Simulator({ protocol: 'cu16', boards: 2, pty: false, controlPort: null });
  await simulator.start();
  const { default: pino } = await import('pino');
  return buildControlApp({ simulator, logger: pino({ level: 'silent' }) });
}

describe('simulator control API', () => {
  it('acts on a door and shows it in the state', async () => {
    const control = await app();
    const forced = await control.inject({ method: 'POST', url: '/boards/1/locks/4/force' });
    expect(forced.statusCode).toBe(200);
    expect(forced.json().door).toMatchObject({ open: true });
    const state = (await control.inject({ method: 'GET', url: '/state' })).json();
    expect(state.boards[1].doors[3]).toMatchObject({ lock: 4, open: true, sensedClosed: false });
  });

  it('switches bus faults on and off, merging partial updates', async () => {
    const control = await app();
    await control.inject({ method: 'PUT', url: '/faults', payload: { dropRate: 0.5 } });
    const merged = await control.inject({ method: 'PUT', url: '/faults', payload: { silentBoards: [1] } });
    expect(merged.json()).toMatchObject({ dropRate: 0.5, silentBoards: [1] });
    const cleared = await control.inject({ method: 'DELETE', url: '/faults' });
    expect(cleared.json()).toMatchObject({ dropRate: 0, silentBoards: [] });
  });

  it('switches request faults (device → boards) and refuses a bad rate naming the field', async () => {
    const control = await app();
    const set = await control.inject({
      method: 'PUT',
      url: '/faults',
      payload: { requestCorruptRate: 0.05, requestDropRate: 0.01 },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ requestCorruptRate: 0.05, requestDropRate: 0.01, corruptRate: 0 });
    const bad = await control.inject({ method: 'PUT', url: '/faults', payload: { requestDropRate: 1.5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([expect.objectContaining({ path: 'requestDropRate' })]);
    expect(simulator!.simBus.currentFaults()).toMatchObject({ requestDropRate: 0.01 });
    const cleared = await control.inject({ method: 'DELETE', url: '/faults' });
    expect(cleared.json()).toMatchObject({ requestCorruptRate: 0, requestDropRate: 0 });
  });

  it('rejects bad input with a clear error and changes nothing', async () => {
    const control = await app();
    const badAction = await control.inject({ method: 'POST', url: '/boards/0/locks/1/explode' });
    expect(badAction.statusCode).toBe(400);
    expect(badAction.json()).toMatchObject({
      code: 'SIM_BAD_REQUEST',
      issues: [expect.objectContaining({ path: 'action' })],
    });
    const badFault = await control.inject({
      method: 'PUT',
      url: '/faults',
      payload: { corruptRate: 2, typo: true },
    });
    expect(badFault.statusCode).toBe(400);
    expect(simulator!.simBus.currentFaults().corruptRate).toBe(0);
    const noDoor = await control.inject({ method: 'POST', url: '/boards/9/locks/1/close' });
    expect(noDoor.statusCode).toBe(404);
    expect(noDoor.json().code).toBe('SIM_UNKNOWN_DOOR');
  });
});
