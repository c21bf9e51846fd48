/** A trailing debounce: `schedule` restarts the wait, `flush` runs a pending call now. */
export interface Debounced {
  schedule(): void;
  flush(): void;
  cancel(): void;
}

export function debounce(run: () => void, waitMs: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    schedule() {
      cancel();
      timer = setTimeout(() => {
        timer = undefined;
        run();
      }, waitMs);
    },
    flush() {
      if (timer === undefined) return;
      cancel();
      run();
    },
    cancel,
  };
}

/**
 * Wait before retry number `attempt` (0-based) after a failed prediction: doubling from one second, at
 * most eight, so a returning API is noticed quickly without hammering one that is down.
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(8000, 1000 * 2 ** Math.max(0, attempt));
}
