/** Light, dark or the system's choice; remembered in localStorage and applied as `data-theme` on <html>. */

export type ThemeChoice = 'auto' | 'light' | 'dark';
const STORAGE_KEY = 'automodel.theme';
const NEXT: Record<ThemeChoice, ThemeChoice> = { auto: 'light', light: 'dark', dark: 'auto' };
const LABELS: Record<ThemeChoice, string> = { auto: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
const ICONS: Record<ThemeChoice, string> = { auto: '◐', light: '☀', dark: '☾' };

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'auto';
  } catch {
    return 'auto';
  }
}

function apply(choice: ThemeChoice, button: HTMLButtonElement): void {
  if (choice === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  button.textContent = '';
  button.append(`${ICONS[choice]} `, choice === 'auto' ? 'System' : choice === 'light' ? 'Light' : 'Dark');
  button.setAttribute('aria-label', `${LABELS[choice]}. Change theme`);
  button.title = 'Switch between system, light and dark';
}

/** Wire the toggle; `onChange` runs after every switch, including system changes while on `auto`. */
export function setUpTheme(button: HTMLButtonElement, onChange: () => void): void {
  let choice = stored();
  apply(choice, button);
  button.addEventListener('click', () => {
    choice = NEXT[choice];
    try {
      if (choice === 'auto') localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // Storage may be disabled; the choice still holds for this page.
    }
    apply(choice, button);
    onChange();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (choice === 'auto') onChange();
  });
}
