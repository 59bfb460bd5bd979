/**
 * `npm start`: the product on a fresh machine, without a RAGFlow deployment. Starts the fake
 * RAGFlow server (tests/fake-ragflow) as a demo with a demo account, then opens Chromium with
 * the freshly built extension and the demo server preset. With no display, it says how to load
 * the extension by hand and keeps the server running.
 */
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { chromiumPath, EXTENSION_DIR, launchExtension, type LoadedExtension } from '../e2e/support/extension';
import { ragflowDefaultKeyPair } from './ragflow-default-key';

const DEMO_ACCOUNT = { email: 'demo@example.com', password: 'ragflow-demo', nickname: 'demo' };
const PREFERRED_PORT = Number(process.env.DEMO_PORT ?? 9380);

async function startDemoServer(): Promise<FakeRagflow> {
  // RAGFlow's own default key pair, as most servers have: an extension loaded by hand, with no
  // public key set, signs in to the demo as it would to a stock RAGFlow.
  const options = {
    generation: 'restful' as const,
    host: '127.0.0.1',
    users: [DEMO_ACCOUNT],
    keyPair: ragflowDefaultKeyPair(),
  };
  try {
    return await startFakeRagflow({ ...options, port: PREFERRED_PORT });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.log(`Port ${PREFERRED_PORT} is taken (a real RAGFlow?): using a free port instead.`);
    return startFakeRagflow({ ...options, port: 0 });
  }
}

function hasDisplay(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function findChromium(): string | undefined {
  try {
    return chromiumPath();
  } catch {
    return undefined;
  }
}

/** Presets what the options page and the popup would hold after a first visit. */
async function presetDemoServer(extension: LoadedExtension, server: FakeRagflow): Promise<void> {
  await extension.configureServers([{ url: server.url, name: 'Demo RAGFlow' }]);
  const worker = await extension.worker();
  await worker.evaluate(
    async ({ serverUrl, email }) => {
      type Local = { set(items: object): Promise<void> };
      const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
      await local.set({ 'popup.serverUrl': serverUrl, 'popup.email': email });
    },
    { serverUrl: server.url, email: DEMO_ACCOUNT.email },
  );
}

function printManualSteps(): void {
  console.log(`
To try it in your own Chrome or Chromium:
  1. Open chrome://extensions and switch on Developer mode.
  2. Load unpacked: ${EXTENSION_DIR}
  3. Open the popup and use the server and account above. The demo server has RAGFlow's
     default RSA key pair, like most servers: no public key to set.`);
}

async function main(): Promise<void> {
  const server = await startDemoServer();
  console.log(`
Demo RAGFlow server (RESTful routes) at ${server.url}
  email:    ${DEMO_ACCOUNT.email}
  password: ${DEMO_ACCOUNT.password}
`);

  let extension: LoadedExtension | undefined;
  const chromium = findChromium();
  if (!hasDisplay() || !chromium) {
    console.log(
      !chromium
        ? 'No Chromium found (install it, or set CHROME_PATH): not opening a browser.'
        : 'No display: not opening a browser.',
    );
    printManualSteps();
  } else {
    extension = await launchExtension({ headless: false });
    await presetDemoServer(extension, server);
    // The demo's web app, signed in as the RAGFlow web app signs in (its session in
    // localStorage): the popup then offers "Use my RAGFlow session", with no password at all.
    const webApp = await extension.context.newPage();
    await webApp.goto(`${server.url}/`);
    const session = server.signInWebApp(DEMO_ACCOUNT.email);
    await webApp.evaluate((authorization) => localStorage.setItem('Authorization', authorization), session);
    const page = await extension.openPopup();
    await page.bringToFront();
    console.log(`Chromium (${chromium}) is open with RAGFlow Keys loaded, the demo server preset, and the
demo's web app signed in, in a tab. In the popup, "Use my RAGFlow session" gets a key with no
password; or type the password above and press "Get API key". Pin the extension from the puzzle
menu to use it from the toolbar.`);
    extension.context.on('close', () => void shutDown());
  }
  console.log('\nPress Ctrl+C to stop.');

  let stopping = false;
  async function shutDown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await extension?.close().catch(() => undefined);
    await server.close();
    process.exit(0);
  }
  process.on('SIGINT', () => void shutDown());
  process.on('SIGTERM', () => void shutDown());
}

await main();
