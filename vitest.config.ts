import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    include: ['tests/unit/**/*.test.{ts,tsx}'],
    // The protocol tests start real HTTP servers and generate RSA keys: give them room.
    testTimeout: 20_000,
    server: {
      deps: {
        // Evaluated by Vitest rather than Node, so that vi.resetModules() gives a fresh copy:
        // the padding-randomness test needs jsencrypt's module-level RNG state anew.
        inline: ['jsencrypt'],
      },
    },
  },
});
