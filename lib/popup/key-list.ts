/**
 * The key list of the popup's key view: the server's keys with Copy (in each format), Show,
 * Verify, Revoke and the choice of the pasting key. Its state is plain data inside the popup's
 * one store ({@link KeyListState}, at `keys` of the key view); these are its actions, which the
 * store makes and hands to the components.
 */
import type { CopyFormat } from '../keys/copy-formats';
import { isAppError } from '../errors';
import type { AccountRef, ListedKey } from '../messaging/protocol';
import { type AlertState, alertFromError, alertOf } from '../ui/alert';
import type { PopupPlatform } from './controller';
import { copyAndPlanClear } from './copy';
import { type DateFormatters, dateFormatters, describeKey, type KeyRowData } from './key-format';
import type { KeyListState, KeyVerification } from './key-list-state';

/** Where the list's state lives in the popup's store, and what the store does for it. */
export interface KeyListSlice {
  /** The list's state; null once the key view is gone (signed out meanwhile). */
  get(): KeyListState | null;
  set(patch: Partial<KeyListState>): void;
  /** The pasting key changed (null: there is none now): the key field shows it. */
  currentKeyChanged(key: string | null): void;
  /**
   * The account is signed out (the server no longer takes the session, or the key it signed in
   * with was revoked): the popup goes back to its form, saying why.
   */
  sessionEnded(alert: AlertState, error?: unknown): Promise<void>;
  /** The copy confirmation, for a moment (the store's one timer for it). */
  confirmCopy(copied: { token: string; format: CopyFormat }): void;
}

export class KeyListActions {
  /** Made at the first row: Intl's formatters cost tens of milliseconds, not to be paid before the key shows. */
  private formatters: DateFormatters | undefined;
  private readonly now: () => number;

  constructor(
    private readonly platform: Pick<PopupPlatform, 'send' | 'copyText' | 'uiLanguage'>,
    private readonly slice: KeyListSlice,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** "Manage keys": opening lists the keys afresh, since the web app or the CLI may have changed them. */
  async toggle(): Promise<void> {
    const state = this.slice.get();
    if (!state) return;
    // Closed, the list forgets what was open in it: opened again, it starts afresh.
    if (state.open) {
      return this.slice.set({ open: false, shown: null, expanded: null, confirming: null, verifications: {} });
    }
    this.slice.set({ open: true });
    await this.load();
  }

  async load(): Promise<void> {
    await this.change(async (account) => {
      const list = await this.platform.send('keys.list', account);
      this.slice.set({ rows: list.keys.map((key) => this.describe(key)) });
      this.setCurrentKey(list.currentKey);
    });
  }

  async create(): Promise<void> {
    await this.change(async (account) => {
      const { key, currentKey } = await this.platform.send('keys.create', account);
      this.slice.set({ rows: [this.describe(key), ...(this.slice.get()?.rows ?? [])] });
      this.setCurrentKey(currentKey);
    });
  }

  /** The first click on Revoke only asks; {@link revoke} does it. */
  askRevoke(token: string): void {
    this.slice.set({ confirming: token, alert: null });
  }

  cancelRevoke(): void {
    this.slice.set({ confirming: null });
  }

  async revoke(token: string): Promise<void> {
    await this.change(async (account) => {
      const { signedOut } = await this.platform.send('keys.revoke', { ...account, token });
      // The key the account signed in with: the background signed it out, and the popup says why.
      if (signedOut) return this.slice.sessionEnded(alertOf('keysSignedOutRevoked'));
      const state = this.slice.get();
      if (!state) return;
      const { [token]: _forgotten, ...verifications } = state.verifications;
      this.slice.set({
        rows: (state.rows ?? []).filter((row) => row.token !== token),
        confirming: null,
        verifications,
      });
      // The background cleared it: paste must not insert a revoked key.
      if (state.currentKey === token) this.setCurrentKey(null);
    });
  }

  /** The first click on Rotate only asks; {@link rotate} does it. */
  askRotate(token: string): void {
    this.slice.set({ rotating: token, confirming: null, expanded: null, alert: null, notice: null });
  }

  cancelRotate(): void {
    this.slice.set({ rotating: null });
  }

  /**
   * Rotate: a new key, chosen for paste, copied if asked, then the old key revoked, in that order,
   * all in the background. The sentence says what happened, also when the old key stays.
   */
  async rotate(token: string, copyNewKey: boolean): Promise<void> {
    await this.change(async (account) => {
      // The background copies the new key itself, before it revokes the old one.
      const rotated = await this.platform.send('keys.rotate', { ...account, token, copy: copyNewKey });
      const rows = (this.slice.get()?.rows ?? []).filter((row) => !(rotated.oldRevoked && row.token === token));
      this.slice.set({ rows: [this.describe(rotated.key), ...rows], rotating: null });
      this.setCurrentKey(rotated.currentKey);
      const { copied } = rotated;
      // No clipboard in the background: the popup copies it, late but still.
      if (copied?.status === 'failed') await this.copy(rotated.key.token, 'plain');
      else if (copied) {
        this.slice.set({ alert: null, clipboardClearSeconds: copied.status === 'scheduled' ? copied.seconds : null });
        this.slice.confirmCopy({ token: rotated.key.token, format: 'plain' });
      }
      const hosts = rotated.places.map((place) => new URL(place.origin).host).join(', ');
      if (!rotated.oldRevoked) {
        // What happened, and why the old key stays: the server's reason in the alert.
        return this.slice.set({ notice: alertOf('keysRotateOldKept'), alert: rotated.error ?? null });
      }
      this.slice.set({ notice: hosts ? alertOf('keysRotatedUpdate', [hosts]) : alertOf('keysRotated') });
    });
  }

  /** The user's own name for a key (blank: none). */
  async rename(token: string, name: string): Promise<void> {
    await this.change(async (account) => {
      const saved = await this.platform.send('keys.name', { ...account, token, name });
      const rows = (this.slice.get()?.rows ?? []).map((row) => {
        if (row.token !== token) return row;
        const { name: _old, ...rest } = row;
        return saved.name === null ? rest : { ...rest, name: saved.name };
      });
      this.slice.set({ rows });
    });
  }

  /** "Use for paste". */
  async useForPaste(token: string): Promise<void> {
    await this.change(async (account) => {
      await this.platform.send('keys.setCurrent', { ...account, token });
      this.setCurrentKey(token);
      this.slice.set({ expanded: null });
    });
  }

  async verify(token: string): Promise<void> {
    const state = this.slice.get();
    if (!state) return;
    this.setVerification(token, { status: 'checking' });
    try {
      const status = await this.platform.send('keys.verify', { serverUrl: state.account.serverUrl, token });
      this.setVerification(token, { status });
    } catch (error) {
      // The server could not say: neither valid nor invalid, and the reason on hover.
      this.setVerification(token, { status: 'unreachable', alert: alertFromError(error) });
    }
  }

  toggleShown(token: string): void {
    this.slice.set({ shown: this.slice.get()?.shown === token ? null : token });
  }

  toggleExpanded(token: string): void {
    this.slice.set({ expanded: this.slice.get()?.expanded === token ? null : token });
  }

  /** Copies the key in a format; the clipboard is cleared later as after any copy of a key. */
  async copy(token: string, format: CopyFormat): Promise<void> {
    const state = this.slice.get();
    if (!state) return;
    let text: string;
    try {
      // The background builds it from the key as listed: only a listed key, quoted for its language.
      text = await this.platform.send('keys.copyText', { ...state.account, token, format });
    } catch (error) {
      return this.slice.set({ alert: alertFromError(error) });
    }
    const copied = await copyAndPlanClear(this.platform, text);
    if (!copied) return this.slice.set({ alert: alertOf('popupCopyFailed') });
    this.slice.set({ alert: null, clipboardClearSeconds: copied.clearSeconds });
    this.slice.confirmCopy({ token, format });
  }

  /** Runs a change of the keys, one at a time; a dead session ends the list. */
  private async change(task: (account: AccountRef) => Promise<void>): Promise<void> {
    const state = this.slice.get();
    if (!state || state.busy) return;
    this.slice.set({ busy: true, alert: null, notice: null });
    try {
      await task(state.account);
    } catch (error) {
      if (isAppError(error, 'session-expired')) return await this.slice.sessionEnded(alertFromError(error), error);
      this.slice.set({ alert: alertFromError(error) });
    } finally {
      this.slice.set({ busy: false });
    }
  }

  private describe(key: ListedKey): KeyRowData {
    this.formatters ??= dateFormatters(this.platform.uiLanguage());
    return describeKey(key, this.now(), this.formatters);
  }

  private setCurrentKey(currentKey: string | null): void {
    if (currentKey === this.slice.get()?.currentKey) return;
    this.slice.set({ currentKey });
    this.slice.currentKeyChanged(currentKey);
  }

  private setVerification(token: string, verification: KeyVerification): void {
    const state = this.slice.get();
    if (state) this.slice.set({ verifications: { ...state.verifications, [token]: verification } });
  }
}
