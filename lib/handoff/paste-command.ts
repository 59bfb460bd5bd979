/** The keyboard command of "Paste RAGFlow key": its name in the manifest (wxt.config.ts). */
export const PASTE_COMMAND = 'paste-key';

/**
 * Where the user sets or changes the shortcut. Firefox has it under the add-ons manager's
 * "Manage Extension Shortcuts"; extensions cannot open either page in a tab for the user.
 */
export const SHORTCUT_SETTINGS_PAGE = import.meta.env.FIREFOX ? 'about:addons' : 'chrome://extensions/shortcuts';
