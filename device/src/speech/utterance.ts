import { type Language, texts } from '../kiosk/i18n.ts';
import type { ScreenState } from '../runtime/screen.ts';

type Params = Record<string, string | number | boolean | null>;

function fill(language: Language, key: string, params: Params): string {
  const table = texts[language];
  const template = table[`spoken_${key}`] ?? table[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/**
 * What the locker says for a screen, in the citizen's language: the screen's own words from the
 * same i18n table, with spoken forms where the screen is visual (which door, and where it is).
 */
export function utterance(state: ScreenState, language: Language): string {
  const p: Params = { ...state.params };
  if (typeof p.row === 'string') {
    p.row = fill(language, `row_${p.row}`, {});
    p.position = fill(language, 'position', p);
  }
  switch (state.view) {
    case 'second_factor':
      return fill(language, `second_factor_${p.need}`, p);
    case 'door_open':
      return fill(
        language,
        p.staff ? 'door_open_staff' : p.purpose === 'return' ? 'door_open_return' : 'door_open',
        p,
      );
    case 'done':
      return fill(
        language,
        p.outcome === 'picked_up'
          ? 'done_picked_up'
          : p.outcome === 'returned'
            ? 'done_returned'
            : 'done_other',
        p,
      );
    case 'rejected':
      return fill(language, `rejected_${p.reason}`, p);
    case 'error':
      return fill(language, `error_${p.code}`, p);
    case 'staff':
      return fill(language, 'staff', p) + (p.note ? ` ${fill(language, `note_${p.note}`, p)}` : '');
    default:
      return fill(language, state.view, p);
  }
}

/** What the locker says while a code is typed on the screen: how many digits, never which. */
export function codeEntryUtterance(digits: number, language: Language): string {
  return fill(language, 'code_entry', { digits });
}
