import { domClipboard } from '@/lib/clipboard/dom-clipboard';
import { serveClipboardClearing } from '@/lib/clipboard/offscreen-channel';

serveClipboardClearing(domClipboard(document));
