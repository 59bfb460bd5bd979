import { expect } from 'vitest';

import type { LoadedExtension } from './extension';

/**
 * The storage audit run after every flow: no password typed in the test, nor its base64, in
 * any storage area of the extension.
 */
export async function expectNoPasswordStored(extension: LoadedExtension, passwords: Iterable<string>): Promise<void> {
  const dump = await extension.storageDump();
  for (const password of passwords) {
    expect(dump).not.toContain(password);
    expect(dump).not.toContain(Buffer.from(password).toString('base64'));
  }
}
