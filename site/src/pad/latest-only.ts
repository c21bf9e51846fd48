/**
 * Sequencing for overlapping requests where only the newest answer may be shown: each request takes a
 * ticket, and an answer is accepted only when its ticket is newer than every answer already shown and
 * than the last invalidation (for example the pad being cleared while a request was in flight).
 */
export class LatestOnly {
  #issued = 0;
  #shown = 0;

  /** A ticket for a request about to be sent. */
  next(): number {
    this.#issued += 1;
    return this.#issued;
  }

  /** Makes every request issued so far stale. */
  invalidate(): void {
    this.#shown = this.#issued;
  }

  /** True (and remembered) when the answer to `ticket` should be shown; false when it is stale. */
  accept(ticket: number): boolean {
    if (ticket <= this.#shown || ticket > this.#issued) return false;
    this.#shown = ticket;
    return true;
  }

  /** Whether `ticket` is the newest issued, i.e. no later request supersedes it. */
  isNewest(ticket: number): boolean {
    return ticket === this.#issued;
  }
}
