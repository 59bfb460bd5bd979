/**
 * The popup's key list for the signed-in account: the server's keys with Copy (in each format),
 * Show, Verify, Revoke and the choice of the pasting key. Plain TypeScript like the popup's
 * controller; the components only render a {@link KeyListState}.
 */
import { clipboardFingerprint } from '../clipboard/fingerprint';
import type { CopyFormat } from '../keys/copy-formats';
import { isAppError } from '../errors';
import type { AccountRef, ListedKey } from '../messaging/protocol';
import { StateStore } from '../ui/state-store';
import type { PopupPlatform } from './controller';
import { type AlertState, alertFromError, alertOf } from '../ui/alert';
import { type DateFormatters, dateFormatters, describeKey, type KeyRowData } from './key-format';

export type VerifyStatus = 'checking' | 'valid' | 'invalid' | 'unreachable';

export interface KeyVerification {
  status: VerifyStatus;
  /** Why the server could not say, for `unreachable`. */
  alert?: AlertState;
}

export interface KeyListState {
  /** Shown (and listed from the server) only when asked: opening the popup stays request-free. */
  open: boolean;
  /** Listing or changing keys: the buttons that change keys wait. */
  busy: boolean;
  /** Newest first, formatted once; null until listed. */
  rows: KeyRowData[] | null;
  /** The key "Paste RAGFlow key" uses; null when none. */
  currentKey: string | null;
  /** The key shown in full. */
  shown: string | null;
  /** The key whose further actions (copy as, use for paste) are open. */
  expanded: string | null;
  /** The key whose revocation waits for the user's confirmation. */
  confirming: string | null;
  /** The key whose rotation waits for the user's confirmation. */
  rotating: string | null;
  /** What a rotation did, in a sentence (not an error: the new key is there). */
  notice: AlertState | null;
  verifications: Record<string, KeyVerification>;
  /** The copy just made, for its button to say so for a moment. */
  copied: { token: string; format: CopyFormat } | null;
  /** After a copy, when the background will clear the clipboard; null when it will not. */
  clipboardClearSeconds: number | null;
  alert: AlertState | null;
}

export interface KeyListHooks {
  /** The pasting key changed (null: there is none now); the popup's key field follows. */
  onCurrentKeyChange(key: string | null): void;
  /** The server no longer takes the session: the popup goes back to its sign-in form. */
  onSessionExpired(alert: AlertState): void;
}

export interface KeyListOptions {
  platform: Pick<PopupPlatform, 'send' | 'copyText'>;
  /** The signed-in account. */
  account: AccountRef;
  hooks: KeyListHooks;
  /** The pasting key as the popup shows it now. */
  currentKey: string | null;
  /** The browser's UI language, for the dates. */
  language: string;
  now?: () => number;
}

/** As long as the popup's own Copy confirmation. */
const COPIED_MS = 2000;

export class KeyListController extends StateStore<KeyListState> {
  /** Made at the first row: Intl's formatters cost tens of milliseconds, not to be paid before the key shows. */
  private formatters: DateFormatters | undefined;
  private readonly now: () => number;
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: KeyListOptions) {
    super({
      open: false,
      busy: false,
      rows: null,
      currentKey: options.currentKey,
      shown: null,
      expanded: null,
      confirming: null,
      rotating: null,
      notice: null,
      verifications: {},
      copied: null,
      clipboardClearSeconds: null,
      alert: null,
    });
    this.now = options.now ?? Date.now;
  }

  /** "Manage keys": opening lists the keys afresh, since the web app or the CLI may have changed them. */
  async toggle(): Promise<void> {
    // Closed, the list forgets what was open in it: opened again, it starts afresh.
    if (this.state.open) {
      return this.set({ open: false, shown: null, expanded: null, confirming: null, verifications: {} });
    }
    this.set({ open: true });
    await this.load();
  }

  async load(): Promise<void> {
    await this.change(async () => {
      const list = await this.options.platform.send('keys.list', this.options.account);
      this.set({ rows: list.keys.map((key) => this.describe(key)) });
      this.setCurrentKey(list.currentKey);
    });
  }

  async create(): Promise<void> {
    await this.change(async () => {
      const { key, currentKey } = await this.options.platform.send('keys.create', this.options.account);
      this.set({ rows: [this.describe(key), ...(this.state.rows ?? [])] });
      this.setCurrentKey(currentKey);
    });
  }

  /** The first click on Revoke only asks; {@link revoke} does it. */
  askRevoke(token: string): void {
    this.set({ confirming: token, alert: null });
  }

  cancelRevoke(): void {
    this.set({ confirming: null });
  }

  async revoke(token: string): Promise<void> {
    await this.change(async () => {
      const { signedOut } = await this.options.platform.send('keys.revoke', { ...this.options.account, token });
      // The key the account signed in with: the background signed it out, and the popup says why.
      if (signedOut) return this.options.hooks.onSessionExpired(alertOf('keysSignedOutRevoked'));
      const { [token]: _forgotten, ...verifications } = this.state.verifications;
      this.set({ rows: (this.state.rows ?? []).filter((row) => row.token !== token), confirming: null, verifications });
      // The background cleared it: paste must not insert a revoked key.
      if (this.state.currentKey === token) this.setCurrentKey(null);
    });
  }

  /** The first click on Rotate only asks; {@link rotate} does it. */
  askRotate(token: string): void {
    this.set({ rotating: token, confirming: null, expanded: null, alert: null, notice: null });
  }

  cancelRotate(): void {
    this.set({ rotating: null });
  }

  /**
   * Rotate: a new key, chosen for paste, copied if asked, then the old key revoked, in that order,
   * all in the background. The sentence says what happened, also when the old key stays.
   */
  async rotate(token: string, copyNewKey: boolean): Promise<void> {
    await this.change(async () => {
      // The background copies the new key itself, before it revokes the old one.
      const request = { ...this.options.account, token, copy: copyNewKey };
      const rotated = await this.options.platform.send('keys.rotate', request);
      const rows = (this.state.rows ?? []).filter((row) => !(rotated.oldRevoked && row.token === token));
      this.set({ rows: [this.describe(rotated.key), ...rows], rotating: null });
      this.setCurrentKey(rotated.currentKey);
      const { copied } = rotated;
      // No clipboard in the background: the popup copies it, late but still.
      if (copied?.status === 'failed') await this.copy(rotated.key.token, 'plain');
      else if (copied) {
        this.showCopied(rotated.key.token, 'plain');
        this.set({ clipboardClearSeconds: copied.status === 'scheduled' ? copied.seconds : null });
      }
      const hosts = rotated.places.map((place) => new URL(place.origin).host).join(', ');
      if (!rotated.oldRevoked) {
        // What happened, and why the old key stays: the server's reason in the alert.
        return this.set({ notice: alertOf('keysRotateOldKept'), alert: rotated.error ?? null });
      }
      this.set({ notice: hosts ? alertOf('keysRotatedUpdate', [hosts]) : alertOf('keysRotated') });
    });
  }

  /** The user's own name for a key (blank: none). */
  async rename(token: string, name: string): Promise<void> {
    await this.change(async () => {
      const saved = await this.options.platform.send('keys.name', { ...this.options.account, token, name });
      const rows = (this.state.rows ?? []).map((row) => {
        if (row.token !== token) return row;
        const { name: _old, ...rest } = row;
        return saved.name === null ? rest : { ...rest, name: saved.name };
      });
      this.set({ rows });
    });
  }

  /** "Use for paste". */
  async useForPaste(token: string): Promise<void> {
    await this.change(async () => {
      await this.options.platform.send('keys.setCurrent', { ...this.options.account, token });
      this.setCurrentKey(token);
      this.set({ expanded: null });
    });
  }

  async verify(token: string): Promise<void> {
    this.setVerification(token, { status: 'checking' });
    try {
      const { serverUrl } = this.options.account;
      const status = await this.options.platform.send('keys.verify', { serverUrl, token });
      this.setVerification(token, { status });
    } catch (error) {
      // The server could not say: neither valid nor invalid, and the reason on hover.
      this.setVerification(token, { status: 'unreachable', alert: alertFromError(error) });
    }
  }

  toggleShown(token: string): void {
    this.set({ shown: this.state.shown === token ? null : token });
  }

  toggleExpanded(token: string): void {
    this.set({ expanded: this.state.expanded === token ? null : token });
  }

  /** Copies the key in a format; the clipboard is cleared later as after any copy of a key. */
  async copy(token: string, format: CopyFormat): Promise<void> {
    let text: string;
    try {
      // The background builds it from the key as listed: only a listed key, quoted for its language.
      text = await this.options.platform.send('keys.copyText', { ...this.options.account, token, format });
    } catch (error) {
      return this.set({ alert: alertFromError(error) });
    }
    try {
      await this.options.platform.copyText(text);
    } catch {
      return this.set({ alert: { messageKey: 'popupCopyFailed', substitutions: [] } });
    }
    this.showCopied(token, format);
    try {
      // Only the hash of what was copied travels, as for the popup's own Copy.
      const fingerprint = await clipboardFingerprint(text);
      const plan = await this.options.platform.send('clipboard.scheduleClear', { fingerprint });
      this.set({ clipboardClearSeconds: plan.status === 'scheduled' ? plan.seconds : null });
    } catch {
      // The copy worked; without the background, the text just stays in the clipboard.
      this.set({ clipboardClearSeconds: null });
    }
  }

  /** The row's Copy button says "Copied" for a moment. */
  private showCopied(token: string, format: CopyFormat): void {
    clearTimeout(this.copiedTimer);
    this.set({ copied: { token, format }, alert: null });
    this.copiedTimer = setTimeout(() => this.set({ copied: null }), COPIED_MS);
  }

  override dispose(): void {
    clearTimeout(this.copiedTimer);
    super.dispose();
  }

  /** Runs a change of the keys, one at a time; a dead session ends the list. */
  private async change(task: () => Promise<void>): Promise<void> {
    if (this.state.busy) return;
    this.set({ busy: true, alert: null, notice: null });
    try {
      await task();
    } catch (error) {
      if (isAppError(error, 'session-expired')) {
        return this.options.hooks.onSessionExpired(alertFromError(error));
      }
      this.set({ alert: alertFromError(error) });
    } finally {
      this.set({ busy: false });
    }
  }

  private describe(key: ListedKey): KeyRowData {
    this.formatters ??= dateFormatters(this.options.language);
    return describeKey(key, this.now(), this.formatters);
  }

  private setCurrentKey(currentKey: string | null): void {
    if (currentKey === this.state.currentKey) return;
    this.set({ currentKey });
    this.options.hooks.onCurrentKeyChange(currentKey);
  }

  private setVerification(token: string, verification: KeyVerification): void {
    this.set({ verifications: { ...this.state.verifications, [token]: verification } });
  }
}
