import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Screen } from './screen.ts';
import { VisitScreen } from './visit-screen.ts';

const inactivityMs = 60_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function screenWithVisit() {
  const visit = { doorOpen: false, forgotten: 0 };
  const screen = new VisitScreen({ screen: new Screen(() => 0), inactivityMs });
  screen.join({ holdsOpenDoor: () => visit.doorOpen, forget: () => void visit.forgotten++ });
  return { screen, visit };
}

describe('VisitScreen', () => {
  it('after inactivity forgets the visits and shows the start screen', () => {
    const { screen, visit } = screenWithVisit();
    screen.show('second_factor', { need: 'qr' });
    vi.advanceTimersByTime(inactivityMs - 1);
    expect(screen.current.view).toBe('second_factor');
    vi.advanceTimersByTime(1);
    expect(screen.current.view).toBe('welcome');
    expect(visit.forgotten).toBe(1);
    screen.stop();
  });

  it('every change restarts the wait', () => {
    const { screen } = screenWithVisit();
    screen.show('staff');
    vi.advanceTimersByTime(inactivityMs - 1);
    screen.show('opening');
    vi.advanceTimersByTime(inactivityMs - 1);
    expect(screen.current.view).toBe('opening');
    screen.stop();
  });

  it('keeps a visit whose door is open, and forgets it one wait after the door is no longer open', () => {
    const { screen, visit } = screenWithVisit();
    visit.doorOpen = true;
    screen.show('door_open', { compartment: 3 });
    vi.advanceTimersByTime(5 * inactivityMs);
    expect(screen.current.view).toBe('door_open');
    expect(visit.forgotten).toBe(0);
    visit.doorOpen = false;
    vi.advanceTimersByTime(inactivityMs);
    expect(screen.current.view).toBe('welcome');
    expect(visit.forgotten).toBe(1);
    screen.stop();
  });
});
