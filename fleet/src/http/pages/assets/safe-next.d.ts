export const defaultNext: string;
/** A same-origin path to go to after signing in, or `defaultNext`. */
export function safeNext(next: string | null | undefined, origin: string): string;
