/** Local hours [startHour, endHour); a window past midnight (22 → 5) wraps. */
export interface MaintenanceWindow {
  startHour: number;
  endHour: number;
}

/** Whether a wall-clock time falls in the locker's maintenance window (local time of the locker). */
export function inMaintenanceWindow(at: Date, window: MaintenanceWindow): boolean {
  const hour = at.getHours();
  if (window.startHour === window.endHour) return true;
  return window.startHour < window.endHour
    ? hour >= window.startHour && hour < window.endHour
    : hour >= window.startHour || hour < window.endHour;
}
