/**
 * The function `scripting.executeScript` runs in a tab of the RAGFlow web app. It is serialised
 * with `Function.prototype.toString`, so it stays self-contained: no imports, no helpers.
 */

/** What the page holds: where it is, and the web app's session value if it has one. */
export interface WebAppSession {
  /** The page's address as it is now, checked against the server (it may have navigated). */
  href: string;
  authorization: string | null;
}

/**
 * Reads the web app's session: RAGFlow's web app keeps the `Authorization` header value of its
 * login in the page's localStorage under the key `Authorization`, and sends it back verbatim
 * (docs/ragflow-api.md, "Every login rotates the session").
 */
export function readWebAppSession(): WebAppSession {
  let authorization: string | null = null;
  try {
    authorization = localStorage.getItem('Authorization');
  } catch {
    // Storage switched off for the site: no session to read, which the caller says plainly.
  }
  return { href: location.href, authorization };
}
