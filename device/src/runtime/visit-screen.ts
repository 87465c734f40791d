import type { OpenResult } from './door-keeper.ts';
import type { Screen, ScreenParams, ScreenState, ScreenView } from './screen.ts';

export type Cue = 'ok' | 'error' | 'alert';

/** Someone using the locker now (a citizen's session, a staff visit): kept while their door is open, forgotten after inactivity. */
export interface VisitParty {
  /** A door of this visit is still open: inactivity does not end it. */
  holdsOpenDoor(): boolean;
  /** Inactivity ended the visit. */
  forget(): void;
}

/**
 * The screen as the visits at the locker use it: every change restarts the inactivity timer,
 * after which the visits are forgotten and the start screen comes back, unless a door of a visit
 * is still open. Also the tones that go with what is shown.
 */
export class VisitScreen {
  private readonly parties: VisitParty[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      screen: Screen;
      inactivityMs: number;
      cue?: (kind: Cue) => void;
    },
  ) {}

  join(party: VisitParty): void {
    this.parties.push(party);
  }

  stop(): void {
    clearTimeout(this.idleTimer);
    this.parties.length = 0;
  }

  get current(): ScreenState {
    return this.deps.screen.current;
  }

  show(view: ScreenView, params: ScreenParams = {}): ScreenState {
    this.touch();
    return this.deps.screen.show(view, params);
  }

  cue(kind: Cue): void {
    this.deps.cue?.(kind);
  }

  /** Back to the start screen after inactivity, unless a door of a visit is still open. */
  touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.parties.some((p) => p.holdsOpenDoor())) return this.touch();
      for (const party of this.parties) party.forget();
      if (this.deps.screen.current.view !== 'welcome') this.deps.screen.show('welcome');
    }, this.deps.inactivityMs);
    this.idleTimer.unref();
  }
}

/** What the screen says about a door that did not open. */
export function screenCodeOf(code: Extract<OpenResult, { ok: false }>['code']): string {
  if (code === 'UNLOCK_NOT_SENT') return 'try_again';
  return code === 'STORE_WRITE_FAILED' ? 'out_of_service' : 'door_fault';
}
