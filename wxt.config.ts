import { defineConfig } from 'wxt';

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  alias: {
    // jsencrypt's RSA and big-integer modules alone (lib/ragflow/password.ts): its package entry
    // also brings PEM and ASN.1 writers, key generation and signing, 10 KB gzip the background
    // never runs. Its `exports` map lists only the entry, so the folder is named here.
    'jsencrypt-jsbn': 'node_modules/jsencrypt/lib/lib/jsbn',
  },
  zip: {
    // The sources zip AMO asks for: what `npm ci && npm run build:firefox` needs, no local output.
    excludeSources: ['bench-results/**', '.ci/**'],
  },
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // public/icon/*.png, drawn from docs/icon.svg. WXT lists them in `icons`; the toolbar button
    // names them as well, so that no browser falls back to its generic extension icon there.
    action: { default_icon: { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png' } },
    // contextMenus, activeTab, scripting: "Paste RAGFlow key" scripts only the frame the user
    // clicked or typed in, on the grant of that click or keypress; no content script, no <all_urls>.
    // alarms: the clipboard auto-clear wakes a stopped service worker on time.
    permissions: ['storage', 'contextMenus', 'activeTab', 'scripting', 'alarms'],
    // A local RAGFlow (Docker on this machine) is the common setup; match patterns carry no
    // port, so these cover :80 and :9380 alike. Any other server is asked for at run time.
    host_permissions: ['http://localhost/*', 'http://127.0.0.1/*'],
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    commands: {
      // lib/handoff/paste-command.ts PASTE_COMMAND; users change the keys in the browser's shortcut settings.
      'paste-key': {
        suggested_key: { default: 'Alt+Shift+K' },
        description: '__MSG_commandPasteKey__',
      },
    },
    ...(browser === 'firefox' && {
      // Firefox requires an add-on ID for MV3; MV3 with optional host permissions needs 128.
      // Nothing leaves the browser except to the user's own RAGFlow servers: no data to declare.
      browser_specific_settings: {
        gecko: {
          id: '{7df406bd-9a2d-4252-b288-c68a07faa340}',
          strict_min_version: '128.0',
          data_collection_permissions: { required: ['none'] },
        },
      },
      // Firefox's default MV3 policy for extension pages is "script-src 'self';
      // upgrade-insecure-requests;" (pref extensions.webextensions.default-content-security-policy.v3,
      // w3c/webextensions#303): every http:// request to a server other than localhost becomes
      // https:// and fails, so a RAGFlow at http://192.168.1.20:9380 was unreachable even with
      // its permission granted. This is that policy without the upgrade, as Chrome's default is:
      // servers are the user's to choose, and plain-http RAGFlow (Docker on a LAN) is common.
      content_security_policy: { extension_pages: "script-src 'self'" },
    }),
  }),
  vite: () => ({
    // Every browser the extension runs in (Chrome MV3, Firefox 128 and later) has
    // <link rel="modulepreload">: Vite's polyfill for it would be dead weight in every page.
    build: { modulePreload: { polyfill: false } },
  }),
  hooks: {
    'vite:build:extendConfig': (entrypoints, viteConfig) => {
      // The background uses the browser's own API, not webextension-polyfill: Chrome (MV3) and
      // Firefox answer every call it makes with a promise, and its one listener that answers,
      // the message bus's, does so through `sendResponse` (lib/messaging/serve.ts). That keeps
      // 3 KB gzip out of the service worker, read at every start. The offscreen document keeps
      // the polyfill, where its listener answers with a promise (lib/clipboard/offscreen-channel.ts).
      if (!entrypoints.some((entrypoint) => entrypoint.type === 'background')) return;
      const alias = viteConfig.resolve?.alias;
      if (Array.isArray(alias)) {
        viteConfig.resolve!.alias = alias.filter((entry: { find: unknown }) => entry.find !== 'wxt/browser');
      } else if (alias) {
        delete (alias as Record<string, string>)['wxt/browser'];
      }
    },
    'build:manifestGenerated': (wxt, manifest) => {
      // Clipboard auto-clear: the background reads the clipboard to see whether our key is still
      // there (`clipboardRead`) and clears it outside a user gesture (`clipboardWrite`). Reading
      // is asked for only when the user turns auto-clear on (lib/options/controller.ts): it stays
      // optional. In Chrome the service worker has no clipboard, so an offscreen document
      // (`offscreen`) does it; Firefox's background is a page that can
      // (lib/clipboard/background-clipboard.ts), and it has no offscreen documents: it would warn
      // about the unknown permission.
      manifest.permissions = [
        ...(manifest.permissions ?? []),
        ...(wxt.config.browser === 'firefox' ? [] : ['offscreen']),
        'clipboardWrite',
      ];
      manifest.optional_permissions = [...(manifest.optional_permissions ?? []), 'clipboardRead'];
    },
  },
});
