/** The extension pages allowed to talk to the background (paths in the built extension). */
export const EXTENSION_PAGES = ['/popup.html', '/options.html'] as const;
