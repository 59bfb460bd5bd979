/**
 * The functions of ours that run in a web page, as one script the background injects by file
 * (`scripting.executeScript({ files })`, entrypoints/paste-in-page.ts) rather than by value: the
 * service worker then carries none of their code, read at every start, but a call of a few bytes
 * ({@link callPageFunction}). The script leaves them on the global object of the extension's
 * isolated world in the frame, where the page cannot reach them (see PINNED_FIELDS_SLOT in
 * ./insert-into-field.ts), and where every later call into that frame finds them.
 */
import { insertIntoEditContext } from './edit-context';
import { FIELD_VISIBILITY_SLOT, installFieldVisibilityCheck } from './field-visibility';
import { reportFocus } from './focus-probe';
import { insertIntoField, pinFocusedField } from './insert-into-field';

/** The script's path in the built extension (WXT writes an unlisted script at the root). */
export const PAGE_SCRIPT_FILE = '/paste-in-page.js';

/** The property of the isolated world that holds them. */
export const PAGE_FUNCTIONS_SLOT = 'ragflowKeysPageFunctions';

const PAGE_FUNCTIONS = { reportFocus, pinFocusedField, insertIntoField, insertIntoEditContext };

export type PageFunctions = typeof PAGE_FUNCTIONS;
export type PageFunctionName = keyof PageFunctions;

/** Run by the injected script: installs the functions in this frame's isolated world, once. */
export function installPageFunctions(): void {
  // The insertion calls the visibility check from the world too.
  installFieldVisibilityCheck(FIELD_VISIBILITY_SLOT);
  if (Object.hasOwn(globalThis, PAGE_FUNCTIONS_SLOT)) return;
  // Not enumerable, not writable: out of the way of anything else that runs in this world.
  Object.defineProperty(globalThis, PAGE_FUNCTIONS_SLOT, { value: PAGE_FUNCTIONS });
}

/**
 * Injected by value (`func`), so self-contained: calls one of the installed functions, and
 * answers null where the script is not there yet (a frame not scripted before, or one that
 * navigated since), for the caller to inject it and call again. No function of theirs answers null.
 */
export function callPageFunction(slot: string, name: string, args: unknown[]): unknown {
  const functions = (globalThis as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>)[slot];
  return functions ? functions[name]!(...args) : null;
}
