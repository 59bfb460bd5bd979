/**
 * The key list's state, plain data inside the popup's one store (at `keys` of the key view). Apart
 * from its actions (./key-list.ts), which load when the list is first opened: the key view opens
 * with the list closed and makes no request.
 */
import type { CopyFormat } from '../keys/copy-formats';
import type { AccountRef } from '../messaging/protocol';
import type { AlertState } from '../ui/alert';
import type { KeyRowData } from './key-format';

export type VerifyStatus = 'checking' | 'valid' | 'invalid' | 'unreachable';

export interface KeyVerification {
  status: VerifyStatus;
  /** Why the server could not say, for `unreachable`. */
  alert?: AlertState;
}

export interface KeyListState {
  /** The signed-in account; `serverUrl` normalised. */
  account: AccountRef;
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

/** A closed list for the account whose key is shown: opening the popup makes no request. */
export function closedKeyList(account: AccountRef, currentKey: string | null): KeyListState {
  return {
    account,
    open: false,
    busy: false,
    rows: null,
    currentKey,
    shown: null,
    expanded: null,
    confirming: null,
    rotating: null,
    notice: null,
    verifications: {},
    copied: null,
    clipboardClearSeconds: null,
    alert: null,
  };
}
