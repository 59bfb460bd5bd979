/**
 * `storage.local` keys of what the popup remembers between openings (never the password). The
 * paste feature reads the server chosen last, and sets the server (and account) to open the
 * popup on when a paste needs a sign-in first.
 */
export const POPUP_STORAGE_KEYS = {
  serverUrl: 'popup.serverUrl',
  email: 'popup.email',
  cleartextAllowed: 'popup.cleartextAllowed',
} as const;
