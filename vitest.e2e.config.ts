import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// End-to-end tests: the built extension (.output/chrome-mv3) in real Chromium, and the Firefox
// build (.output/firefox-mv3) in real Firefox.
export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    // The leak audit after every test, in every file.
    setupFiles: ['tests/e2e/support/leak-audit-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A poll waits for what the browser does in its own time (a shortcut through the window
    // manager, a worker waking, a popup opening). One second, the default, is met on an idle
    // machine but not on a busy CI runner; a condition that never holds still fails, only later.
    expect: { poll: { timeout: 5_000 } },
    // One browser at a time: two cores, and headful tests share one X display.
    fileParallelism: false,
  },
});
