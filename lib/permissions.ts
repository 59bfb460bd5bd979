import { extensionApi as browser } from './extension-api';

import { originPattern } from './ragflow/server-url';

/** Whether the extension may reach this origin pattern (`https://rag.example.com/*`). */
export function hasOriginAccess(pattern: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [pattern] });
}

/** Whether the extension may reach this server: granted in the manifest or by the user. */
export function hasHostAccess(serverUrl: string): Promise<boolean> {
  return hasOriginAccess(originPattern(serverUrl));
}
