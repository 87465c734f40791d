/** Timers owned by one object, all cancelled by `clear()` when it stops. `ms <= 0` runs at once. */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();

  later(ms: number, action: () => void): void {
    if (ms <= 0) {
      action();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
