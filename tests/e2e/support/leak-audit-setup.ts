/**
 * Set up for every end-to-end file (vitest.e2e.config.ts): after each test, the leak audit of
 * every browser still open. Registered here rather than in each file, so that no file can forget
 * it; a browser closed by its file is audited by its own `close()`.
 */
import { afterEach } from 'vitest';

import { auditOpenBrowsers } from './leak-audit';

afterEach(auditOpenBrowsers);
