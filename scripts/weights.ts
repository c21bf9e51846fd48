/**
 * The operators' weights workflow through the real wrangler CLI:
 * `npm run weights:publish|list|rollback` (see lib/weights-arguments.ts for the options).
 * Failures print one line and exit with status 1.
 */
import { resolve } from 'node:path';
import { WeightsError } from './lib/errors.ts';
import { createWranglerBucket } from './lib/model-bucket.ts';
import { describeVersions, publishExport, rollbackTo } from './lib/publish-model.ts';
import { parseWeightsArguments, USAGE } from './lib/weights-arguments.ts';

async function main(argv: readonly string[]): Promise<void> {
  const command = parseWeightsArguments(argv);
  if (command.kind === 'help') {
    console.log(USAGE);
    return;
  }
  const bucket = createWranglerBucket(command.target);
  const log = (line: string): void => console.log(line);
  switch (command.kind) {
    case 'publish': {
      const started = Date.now();
      const result = await publishExport(bucket, resolve(command.dir), { log });
      console.log(
        `Published ${result.version} to ${bucket.description} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      );
      break;
    }
    case 'list':
      console.log(await describeVersions(bucket));
      break;
    case 'rollback':
      await rollbackTo(bucket, command.version, { log });
      break;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof WeightsError) {
    console.error(`weights: ${error.message}`);
    process.exit(1);
  }
  throw error;
});
