/** Terminal progress: a bar per epoch on a TTY, periodic plain lines otherwise (logs, CI). */
import cliProgress from 'cli-progress';

export interface EpochProgress {
  update(done: number, loss: number, accuracy: number): void;
  stop(): void;
}

export function epochProgress(epoch: number, epochs: number, total: number): EpochProgress {
  const label = `epoch ${String(epoch).padStart(String(epochs).length)}/${epochs}`;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% | {value}/{total} batches | loss {loss} | acc {acc} | {eta_formatted} left`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: '-', acc: '-' });
    return {
      update: (done, loss, accuracy) => bar.update(done, { loss: loss.toFixed(4), acc: accuracy.toFixed(4) }),
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let nextReport = 0.1;
  return {
    update(done, loss, accuracy) {
      if (done / total < nextReport && done !== total) return;
      nextReport = Math.floor((done / total) * 10) / 10 + 0.1;
      const elapsed = (Date.now() - started) / 1000;
      const left = done === 0 ? 0 : (elapsed / done) * (total - done);
      process.stderr.write(
        `${label} ${done}/${total} batches | loss ${loss.toFixed(4)} | acc ${accuracy.toFixed(4)} | ${left.toFixed(0)}s left\n`,
      );
    },
    stop() {},
  };
}
