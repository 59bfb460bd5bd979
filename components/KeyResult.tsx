import { type ComponentChildren, Component, createRef } from 'preact';

import { durationText, t } from '../lib/i18n';
import type { KeyResult as KeyResultData } from '../lib/messaging/protocol';
import { maskKey } from '../lib/popup/key-mask';

interface KeyResultProps {
  result: KeyResultData;
  copied: boolean;
  /** After a copy: when the clipboard gets cleared of the key; null when it does not. */
  clipboardClearSeconds: number | null;
  busy: boolean;
  alsoLogOutOfServer: boolean;
  /** The key manager, between the account and Sign out. */
  children?: ComponentChildren;
  onCopy: () => void;
  onAlsoLogOutOfServerChange: (value: boolean) => void;
  onSignOut: () => void;
}

/**
 * The key (masked until asked, its first and last characters said, as in the list) and Copy, the
 * one main action; whose server and account it is; the key manager; and Sign out, the least. A
 * class, as the popup's other first-view components: the popup paints without preact/hooks.
 */
export class KeyResult extends Component<KeyResultProps, { revealed: boolean }> {
  override state = { revealed: false };
  private readonly copyRef = createRef<HTMLButtonElement>();

  // Copying is what the user came for: put it one keypress away, from the first frame.
  override componentDidMount(): void {
    this.copyRef.current?.focus();
  }

  override render() {
    const { props } = this;
    const { result, copied, busy, alsoLogOutOfServer } = props;
    const { revealed } = this.state;
    const field = {
      id: 'api-key',
      'data-testid': 'api-key',
      readOnly: true,
      spellcheck: false,
      class: 'key-field mono',
      'aria-describedby': 'api-key-id',
      value: result.key,
    };

    return (
      <section class="result">
        {/* No pasting key: it was revoked, here or elsewhere, and none chosen since. */}
        {result.key === '' ? (
          <p class="hint key-box">{t('keysNoPasteKey')}</p>
        ) : (
          <div class="key-box">
            <div class="label-row">
              <label for="api-key">{t('popupApiKey')}</label>
              <button
                type="button"
                class="link"
                aria-controls="api-key"
                onClick={() => this.setState({ revealed: !revealed })}
              >
                {revealed ? t('popupHideKey') : t('popupShowKey')}
              </button>
            </div>
            {/* Shown, the whole key wraps onto a second line rather than run off the edge. */}
            {revealed ? <textarea {...field} rows={2} /> : <input {...field} type="password" autoComplete="off" />}
            <p class="key-id mono" id="api-key-id">
              {maskKey(result.key)}
            </p>
          </div>
        )}
        {result.key !== '' && (
          <button ref={this.copyRef} type="button" class="primary wide" onClick={props.onCopy}>
            {copied ? t('popupCopied') : t('popupCopy')}
          </button>
        )}
        <p class="visually-hidden" aria-live="polite">
          {copied && t('popupCopiedAnnouncement')}
        </p>
        {props.clipboardClearSeconds !== null && (
          <p class="hint">{t('popupClipboardClearsIn', [durationText(props.clipboardClearSeconds)])}</p>
        )}
        <dl class="account pairs">
          <dt>{t('popupServer')}</dt>
          <dd>{result.serverUrl}</dd>
          <dt>{t('popupAccount')}</dt>
          <dd>{result.email}</dd>
        </dl>
        {props.children}
        <div class="sign-out">
          {/* The web app's own session: a logout on the server would sign the web app out too. */}
          {result.viaApiKey ? (
            <p class="hint" data-testid="api-key-sign-in-kept">
              {t('popupSignOutApiKey')}
            </p>
          ) : result.viaWebApp ? (
            <p class="hint" data-testid="web-app-session-kept">
              {t('popupSignOutKeepsWebApp')}
            </p>
          ) : (
            <label class="check">
              <input
                type="checkbox"
                checked={alsoLogOutOfServer}
                onChange={(event) => props.onAlsoLogOutOfServerChange(event.currentTarget.checked)}
              />
              {t('popupAlsoSignOutOnServer')}
            </label>
          )}
          <button type="button" class="link" disabled={busy} onClick={props.onSignOut}>
            {t('popupSignOut')}
          </button>
        </div>
      </section>
    );
  }
}
