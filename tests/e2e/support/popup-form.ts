/** The popup's sign-in form, as the end-to-end tests fill it. */
import type { Page } from 'playwright-core';

export interface SignInFields {
  serverUrl: string;
  email: string;
  /** '' for none. */
  password: string;
}

/** Types a server address, an email and a password into the popup's form. */
export async function fillSignInForm(popup: Page, fields: SignInFields): Promise<void> {
  await popup.getByLabel('Server URL').fill(fields.serverUrl);
  await popup.getByLabel('Email').fill(fields.email);
  await popup.getByLabel('Password', { exact: true }).fill(fields.password);
}

/**
 * Waits for the popup to open, and leads it back to its form: it opens on the key of the
 * account signed in last, if there is one, and signing out (locally) leaves that key.
 */
export async function toSignInForm(popup: Page): Promise<void> {
  const signOut = popup.getByRole('button', { name: 'Sign out', exact: true });
  await popup.getByRole('button', { name: 'Get API key', exact: true }).or(signOut).waitFor();
  if (await signOut.isVisible()) await signOut.click();
}
