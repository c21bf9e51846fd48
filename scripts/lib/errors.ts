/**
 * The one error type of the weights workflow. Its message is a single line an operator can act on; the CLI
 * prints it and exits with status 1, everything else is a bug and keeps its stack trace.
 */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
}
