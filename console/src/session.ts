/**
 * The signed-in credential lives in this tab's sessionStorage only (never localStorage, never a
 * cookie): a reload keeps the session, closing the tab or signing out forgets it.
 */
const KEY = 'keygate.console.credential';

export const session = {
  load: (): string | null => sessionStorage.getItem(KEY),
  save: (credential: string) => sessionStorage.setItem(KEY, credential),
  forget: () => sessionStorage.removeItem(KEY),
};
