/**
 * One way for the pad page's components to start: now, and again when the page comes back from the
 * back/forward cache; stopped when the page is hidden, so nothing runs while it sits in that cache.
 */

/**
 * Runs `start` (which returns how to stop, or null when its markup is absent) while the page is shown.
 *
 * @example mountWhileShown(() => { const root = document.querySelector('[data-photo="digit"]'); return root && mountPhotoInput(root); });
 */
export function mountWhileShown(start: () => (() => void) | null): void {
  let stop: (() => void) | null = null;
  const begin = () => {
    if (stop === null) stop = start();
  };
  begin();
  window.addEventListener('pagehide', () => {
    stop?.();
    stop = null;
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) begin();
  });
}
