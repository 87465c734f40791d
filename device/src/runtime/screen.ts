import { EventEmitter } from 'node:events';

/** What the citizen's screen shows; the page turns view + params into words in the chosen language. */
export type ScreenView =
  | 'welcome'
  | 'second_factor'
  | 'opening'
  | 'door_open'
  | 'door_reminder'
  | 'item_left'
  | 'done'
  | 'rejected'
  | 'wait'
  | 'suspended'
  | 'staff'
  | 'error';

export type ScreenParams = Record<string, string | number | boolean | null>;

export interface ScreenState {
  seq: number;
  view: ScreenView;
  /** Never personal data: door numbers, positions, reasons, counts. */
  params: ScreenParams;
  at: number;
}

export class Screen extends EventEmitter<{ change: [ScreenState] }> {
  private state: ScreenState;

  constructor(private readonly now: () => number) {
    super();
    this.state = { seq: 0, view: 'welcome', params: {}, at: now() };
  }

  get current(): ScreenState {
    return this.state;
  }

  show(view: ScreenView, params: ScreenParams = {}): ScreenState {
    this.state = { seq: this.state.seq + 1, view, params, at: this.now() };
    this.emit('change', this.state);
    return this.state;
  }
}
