/**
 * Whether the user has clicked or pressed a key in this page since it opened: a part that shows
 * late (it waited on the server) must not take the focus from where the user put it meanwhile.
 * `navigator.userActivation.hasBeenActive` cannot say so: a page opened by automation (Playwright's
 * tabs, say) is active from its first frame, clicked or not.
 */
let acted = false;

function noteAct(event: Event): void {
  if (event.isTrusted) acted = true;
}

/** Starts watching, before the first view: a click or key press in it counts from then on. */
export function watchUserActs(target: Document = document): void {
  target.addEventListener('pointerdown', noteAct, { capture: true });
  target.addEventListener('keydown', noteAct, { capture: true });
}

export function userHasActed(): boolean {
  return acted;
}
