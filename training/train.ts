/**
 * `npm run train`: trains the reference CNN on MNIST with tfjs on wasm, keeps the best validation epoch,
 * evaluates float32/float16/uint8 weights on the 10,000 test digits and writes the export (see USAGE).
 */
import { isDeepStrictEqual } from 'node:util';
import type * as tf from '@tensorflow/tfjs';
import {
  type EpochRecord,
  type EvaluationMetrics,
  fullHistory,
  type ModelManifest,
  type Precision,
} from '../core/manifest.ts';
import { ARCHITECTURE, CLASS_COUNT, PARAMETER_COUNT } from '../core/model-spec.ts';
import { decodeWeights } from '../core/weights.ts';
import { readCheckedExport } from '../scripts/lib/export-folder.ts';
import { createFusedModel, type FusedModel } from '../worker/model/fused-model.ts';
import { DEFAULT_AUGMENT } from './augment.ts';
import { useWasmForTraining } from './backend.ts';
import type { Batch } from './batches.ts';
import {
  describeSignals,
  FULL_DETECTOR_SIZES,
  fitServedSignals,
  QUICK_DETECTOR_SIZES,
  RELIABILITY_FILE,
  readExportWeights,
} from './calibrate.ts';
import { confusionMatrixSvg, trainingCurvesSvg } from './charts.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { WeightAverage } from './ema.ts';
import { encodeWeights, type NamedWeight } from './encode-weights.ts';
import { argmaxRows, classificationMetrics } from './evaluate.ts';
import { CONFUSION_FILE, CURVES_FILE, captureModel, writeExport } from './export.ts';
import { holdOutAccuracy, prepareExtra, writeHoldOutReport } from './extra-data.ts';
import { lossAndAccuracy, predictAll, trainEpoch } from './loop.ts';
import { allOf, loadMnistTest, loadMnistTrain, type Subset, splitTrainValidation } from './mnist.ts';
import { compileModel, createModel, decayKernels, foldBatchNorm, setLearningRate } from './model.ts';
import {
  batchPlan,
  FINAL_LEARNING_RATE_FRACTION,
  HelpRequested,
  learningRateAt,
  OptionsError,
  parseTrainOptions,
  type TrainOptions,
  tailOptions,
  USAGE,
} from './options.ts';
import { DataParallelTrainer } from './parallel.ts';
import { createRandom } from './random.ts';
import { loadTeacher } from './teachers.ts';

const PRECISIONS: readonly Precision[] = ['float32', 'float16', 'uint8'];

/** tfjs draws initial weights and dropout masks from Math.random; seeding it makes runs reproducible. */
const seedMathRandom = (seed: number, stream: number) => {
  Math.random = createRandom((seed * 1_000_003 + stream * 7919) >>> 0);
};

function setNamedWeights(tfjs: typeof tf, model: tf.LayersModel, weights: readonly NamedWeight[]) {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const tensors = model.weights.map((variable) => {
    const weight = byName.get(variable.originalName);
    if (!weight) throw new Error(`no saved value for ${variable.originalName}`);
    return tfjs.tensor(weight.values, [...weight.shape]);
  });
  model.setWeights(tensors);
  tfjs.dispose(tensors);
}

async function optimizerWeights(model: tf.LayersModel): Promise<NamedWeight[]> {
  const named = await model.optimizer.getWeights();
  return Promise.all(
    named.map(async ({ name, tensor }) => ({
      name,
      shape: tensor.shape,
      values: Float32Array.from(await tensor.data()),
    })),
  );
}

/** What a checkpoint must agree on to be resumed: everything that changes the trained weights. */
const settingsKey = (o: TrainOptions) =>
  JSON.stringify([
    o.epochs,
    o.batchSize,
    o.learningRate,
    o.seed,
    o.limit,
    o.validationCount,
    o.augment,
    o.warmupEpochs,
    o.labelSmoothing,
    o.emaDecay,
    // Only when changed, so that checkpoints written before `--augment` existed still resume.
    ...(o.augment && !isDeepStrictEqual(o.augmentation, DEFAULT_AUGMENT) ? [o.augmentation] : []),
    ...(o.batchNorm.length > 0 ? [{ batchNorm: o.batchNorm }] : []),
    ...(o.teachers.length > 0 ? [{ teachers: o.teachers, teacherWeight: o.teacherWeight }] : []),
    ...(o.mergeShare > 0 ? [{ mergeShare: o.mergeShare }] : []),
    ...(o.neighbourShare > 0 ? [{ neighbourShare: o.neighbourShare }] : []),
    ...(o.mixupAlpha > 0 ? [{ mixupAlpha: o.mixupAlpha }] : []),
    ...(o.weightDecay > 0 ? [{ weightDecay: o.weightDecay }] : []),
    ...(o.optimizer !== 'adam' ? [{ optimizer: o.optimizer }] : []),
    // Not the trained weights, but the average a checkpoint carries.
    ...(o.swaFrom > 0 ? [{ swaFrom: o.swaFrom }] : []),
    ...(o.lateBatch ? [{ lateBatch: o.lateBatch }] : []),
    // Other dropout streams and sums: a run continues on the thread count it started with.
    ...(o.threads > 1 ? [{ threads: o.threads }] : []),
    ...(o.init ? [{ init: o.init }] : []),
    ...(o.dropout ? [] : [{ dropout: false }]),
  ]);

/**
 * Adam's running powers β₁ᵗ and β₂ᵗ. tfjs multiplies them step by step but, on setWeights, recomputes them
 * with pow(), which differs in the last float32 bits; saving and restoring them keeps a resumed run
 * byte-identical to an uninterrupted one.
 */
type AdamPowers = { readonly accBeta1: tf.Variable; readonly accBeta2: tf.Variable };
const adamPowers = (model: tf.LayersModel): [number, number] => {
  const { accBeta1, accBeta2 } = model.optimizer as unknown as AdamPowers;
  return [accBeta1.dataSync()[0] as number, accBeta2.dataSync()[0] as number];
};
function restoreAdamPowers(tfjs: typeof tf, model: tf.LayersModel, [beta1, beta2]: readonly number[]) {
  const { accBeta1, accBeta2 } = model.optimizer as unknown as AdamPowers;
  tfjs.tidy(() => {
    accBeta1.assign(tfjs.scalar(beta1 as number));
    accBeta2.assign(tfjs.scalar(beta2 as number));
  });
}

/** What `bestValLoss` measures (see calibratedLoss). */
const SELECTION = 'validation NLL after temperature scaling';

/** Validation loss and accuracy of `weights` (the model's own weights are put back afterwards). */
async function validateWeights(
  tfjs: typeof tf,
  model: tf.LayersModel,
  weights: readonly NamedWeight[],
  current: readonly NamedWeight[],
  validation: Subset,
) {
  setNamedWeights(tfjs, model, weights);
  const { probabilities, labels } = await predictAll(tfjs, model, validation);
  setNamedWeights(tfjs, model, current);
  return lossAndAccuracy(probabilities, labels);
}

async function main(options: TrainOptions) {
  const started = Date.now();
  const tfjs = await useWasmForTraining();
  const [trainSet, testSet] = await Promise.all([loadMnistTrain(), loadMnistTest()]);
  const split = splitTrainValidation(trainSet, options.validationCount, options.limit);
  const { validation } = split;
  const extra = options.extra
    ? await prepareExtra(split.train, {
        ...options,
        directory: options.extra,
        weight: options.extraWeight,
        holdOutShare: options.extraHoldOut,
      })
    : undefined;
  const train = extra?.train ?? split.train;
  const fullTest = allOf(testSet);
  const testSubset = options.testLimit
    ? { ...fullTest, indices: fullTest.indices.subarray(0, options.testLimit) }
    : fullTest;
  console.log(
    `MNIST: ${train.indices.length} training, ${validation.indices.length} validation, ${testSubset.indices.length} test digits; ` +
      `${options.epochs} epochs of batches of ${options.batchSize} on tfjs ${tfjs.getBackend()}`,
  );

  const teacher =
    options.teachers.length > 0
      ? await loadTeacher(options.teachers, train, options.teacherWeight)
      : undefined;
  if (teacher)
    console.log(`distilling from ${teacher.versions.join(', ')} (weight ${options.teacherWeight})`);

  seedMathRandom(options.seed, 0);
  const trained = createModel({ batchNorm: options.batchNorm, dropout: options.dropout });
  compileModel(trained, options.learningRate, options.optimizer);
  // --init: the export whose weights the run starts from.
  let initial: ModelManifest | undefined;
  if (options.init) {
    // Checked against its manifest first: a fine-tune names the version it started from.
    const { manifest, files } = await readCheckedExport(options.init).catch((error: Error) => {
      throw new OptionsError(`--init: ${error.message}`);
    });
    // From the files just checked, not read again.
    const weights = await readExportWeights(options.init, async (path) => {
      const bytes = files.get(path);
      if (!bytes) throw new OptionsError(`--init: ${path} is not listed in the export's manifest`);
      return bytes;
    });
    setNamedWeights(
      tfjs,
      trained,
      [...weights].map(([name, { values, shape }]) => ({ name, shape, values })),
    );
    initial = manifest;
    console.log(`starting from the weights of ${options.init} (${manifest.version})`);
  }

  let history: EpochRecord[] = [];
  let bestEpoch = 0;
  let bestValLoss = Number.POSITIVE_INFINITY;
  let bestWeights: NamedWeight[] = [];
  let bestSource: 'ema' | 'raw' = 'raw';
  let seconds = 0;
  let average: WeightAverage | undefined;
  const plan = batchPlan(options, train.indices.length);
  // The step from which the average is a plain mean (--swa-from), or never.
  const uniformFrom = options.swaFrom > 0 ? plan.stepsBefore(options.swaFrom) : Number.POSITIVE_INFINITY;
  const checkpoint = options.resume ? await loadCheckpoint(options.checkpointDir) : undefined;
  if (options.resume && !checkpoint)
    console.log(`no checkpoint in ${options.checkpointDir}: starting afresh`);
  if (options.exportOnly && !checkpoint)
    throw new OptionsError(`--export-only needs a checkpoint in ${options.checkpointDir}`);
  if (checkpoint) {
    if (checkpoint.state.settingsKey !== settingsKey(options)) {
      throw new OptionsError(
        `the checkpoint in ${options.checkpointDir} was made with other settings; drop --resume`,
      );
    }
    setNamedWeights(tfjs, trained, checkpoint.weights);
    await trained.optimizer.setWeights(
      checkpoint.optimizerWeights.map((w) => ({ name: w.name, tensor: tfjs.tensor(w.values, [...w.shape]) })),
    );
    if (checkpoint.state.adamPowers) restoreAdamPowers(tfjs, trained, checkpoint.state.adamPowers);
    ({ history, bestEpoch, bestValLoss, seconds } = checkpoint.state);
    bestSource = checkpoint.state.bestSource ?? 'raw';
    bestWeights = checkpoint.bestWeights;
    // Checkpoints from before the calibrated criterion hold a raw validation loss: measure it again.
    if (checkpoint.state.selection !== SELECTION) {
      bestValLoss = (await validateWeights(tfjs, trained, bestWeights, checkpoint.weights, validation))
        .calibratedLoss;
    }
    if (options.emaDecay > 0 && checkpoint.averageWeights) {
      average = new WeightAverage(
        tfjs,
        trained,
        options.emaDecay,
        checkpoint.averageWeights,
        checkpoint.state.averageSteps ?? 0,
        uniformFrom,
      );
    }
    console.log(`resumed after epoch ${checkpoint.state.epochsDone} from ${options.checkpointDir}`);
  }
  if (options.emaDecay > 0 && !average)
    average = new WeightAverage(tfjs, trained, options.emaDecay, undefined, 0, uniformFrom);

  const parallel =
    options.threads > 1 && !options.exportOnly
      ? await DataParallelTrainer.start(tfjs, trained, options.threads, { dropout: options.dropout })
      : undefined;
  if (parallel) console.log(`data-parallel on ${options.threads} threads`);

  const warmupSteps = Math.round(plan.usualBatches * options.warmupEpochs);
  const lastEpoch = options.exportOnly ? history.length : options.epochs;
  if (options.exportOnly)
    console.log(`--export-only: exporting the best of ${history.length}/${options.epochs} epochs`);

  for (let epoch = history.length + 1; epoch <= lastEpoch; epoch++) {
    const epochStarted = Date.now();
    let learningRate = 0;
    const firstStep = plan.stepsBefore(epoch);
    seedMathRandom(options.seed, epoch);
    const result = await trainEpoch(tfjs, trained, train, {
      batchSize: plan.sizeAt(epoch),
      random: createRandom((options.seed * 31 + epoch) >>> 0),
      augment: options.augment ? options.augmentation : undefined,
      mergeShare: options.mergeShare,
      neighbourShare: options.neighbourShare,
      mixupAlpha: options.mixupAlpha,
      labelSmoothing: options.labelSmoothing,
      teacher,
      epoch,
      epochs: options.epochs,
      beforeBatch: (batch) => {
        const step = plan.schedulePosition(epoch, batch);
        learningRate = learningRateAt(options.learningRate, step, plan.scheduleSteps, warmupSteps);
        setLearningRate(trained, learningRate);
      },
      afterBatch: () => {
        if (options.weightDecay > 0) decayKernels(trained, learningRate * options.weightDecay);
        average?.update();
      },
      ...(parallel
        ? {
            step: (batch: Batch, index: number) =>
              parallel.step(batch, (options.seed * 1_000_003 + firstStep + index) >>> 0),
          }
        : {}),
    });
    const { probabilities, labels } = await predictAll(tfjs, trained, validation);
    const val = lossAndAccuracy(probabilities, labels);
    const { weights: epochWeights } = await captureModel(trained, tfjs.io);
    const averageWeights = average ? await average.weights() : undefined;
    const averaged = averageWeights
      ? await validateWeights(tfjs, trained, averageWeights, epochWeights, validation)
      : undefined;
    const epochSeconds = (Date.now() - epochStarted) / 1000;
    seconds += epochSeconds;
    history.push({
      epoch,
      loss: result.loss,
      accuracy: result.accuracy,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      ...(averaged ? { emaValLoss: averaged.loss, emaValAccuracy: averaged.accuracy } : {}),
      learningRate,
      seconds: epochSeconds,
    });
    let improved = false;
    if (val.calibratedLoss < bestValLoss) {
      [bestValLoss, bestEpoch, bestWeights, bestSource, improved] = [
        val.calibratedLoss,
        epoch,
        epochWeights,
        'raw',
        true,
      ];
    }
    if (averaged && averageWeights && averaged.calibratedLoss < bestValLoss) {
      [bestValLoss, bestEpoch, bestWeights, bestSource, improved] = [
        averaged.calibratedLoss,
        epoch,
        averageWeights,
        'ema',
        true,
      ];
    }
    console.log(
      `epoch ${epoch}/${options.epochs}: loss ${result.loss.toFixed(4)} acc ${(result.accuracy * 100).toFixed(2)}% | ` +
        `val loss ${val.loss.toFixed(4)} val acc ${(val.accuracy * 100).toFixed(2)}% cal ${val.calibratedLoss.toFixed(4)}` +
        (averaged
          ? ` | ema val loss ${averaged.loss.toFixed(4)} ema val acc ${(averaged.accuracy * 100).toFixed(2)}% cal ${averaged.calibratedLoss.toFixed(4)}`
          : '') +
        ` | lr ${learningRate.toExponential(2)} | ` +
        `${epochSeconds.toFixed(0)}s (${((epochSeconds * 1000) / result.batches).toFixed(0)} ms/batch)${improved ? ` | best so far (${bestSource})` : ''}`,
    );
    await saveCheckpoint(options.checkpointDir, {
      state: {
        settingsKey: settingsKey(options),
        epochsDone: epoch,
        history,
        bestEpoch,
        bestValLoss,
        bestSource,
        selection: SELECTION,
        seconds,
        ...(average ? { averageSteps: average.steps } : {}),
        ...(options.optimizer === 'adam' ? { adamPowers: adamPowers(trained) } : {}),
      },
      weights: epochWeights,
      bestWeights,
      ...(averageWeights ? { averageWeights } : {}),
      optimizerWeights: await optimizerWeights(trained),
    });
  }

  await parallel?.close();

  // The last weights and their average compete with the best epoch once more, by the current criterion:
  // this also re-selects a checkpoint written with an older one.
  const { weights: lastWeights } = await captureModel(trained, tfjs.io);
  const candidates = [
    { weights: bestWeights, epoch: bestEpoch, source: bestSource },
    { weights: lastWeights, epoch: history.length, source: 'raw' as const },
    ...(average ? [{ weights: await average.weights(), epoch: history.length, source: 'ema' as const }] : []),
  ];
  bestValLoss = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const score = await validateWeights(tfjs, trained, candidate.weights, lastWeights, validation);
    console.log(
      `candidate epoch ${candidate.epoch} (${candidate.source}): val acc ${(score.accuracy * 100).toFixed(2)}% calibrated val loss ${score.calibratedLoss.toFixed(4)}`,
    );
    if (score.calibratedLoss < bestValLoss) {
      [bestValLoss, bestEpoch, bestWeights, bestSource] = [
        score.calibratedLoss,
        candidate.epoch,
        candidate.weights,
        candidate.source,
      ];
    }
  }
  average?.dispose();

  // Evaluate exactly the bytes each precision would ship: encode, decode, load, predict. A batch-normalised
  // run ships the reference model with the normalisation folded into its weights, and a run without dropout
  // the reference topology with its dropout rates.
  const model = options.batchNorm.length > 0 || !options.dropout ? createModel() : trained;
  setNamedWeights(tfjs, model, foldBatchNorm(bestWeights));
  const { topology, weights } = await captureModel(model, tfjs.io);
  const test: Partial<Record<Precision, EvaluationMetrics>> = {};
  let extraAccuracy: number | null = null;
  let served: FusedModel | undefined;
  for (const precision of PRECISIONS) {
    const { entries, data } = encodeWeights(weights, precision);
    const decoded = decodeWeights([{ paths: [], weights: entries }], data);
    if (precision === options.precision) {
      served = createFusedModel(
        new Map(
          weights.map((w) => [w.name, { values: decoded.get(w.name) as Float32Array, shape: w.shape }]),
        ),
      );
    }
    setNamedWeights(
      tfjs,
      model,
      weights.map((w) => ({ ...w, values: decoded.get(w.name) as Float32Array })),
    );
    const { probabilities, labels } = await predictAll(tfjs, model, testSubset);
    if (extra && precision === options.precision)
      extraAccuracy = await holdOutAccuracy(tfjs, model, extra.holdOut);
    test[precision] = {
      ...classificationMetrics(labels, argmaxRows(probabilities, CLASS_COUNT)),
      weightBytes: data.byteLength,
    };
    console.log(
      `test accuracy ${precision}: ${((test[precision]?.accuracy ?? 0) * 100).toFixed(2)}% (${data.byteLength} bytes of weights)`,
    );
  }
  const servedMetrics = test[options.precision] as EvaluationMetrics;
  // Trust signals on the served weights, through the Worker's own model code.
  const signals = fitServedSignals(
    served as FusedModel,
    { train, validation, test: testSubset },
    options.limit === undefined ? FULL_DETECTOR_SIZES : QUICK_DETECTOR_SIZES,
  );
  console.log(describeSignals(signals));
  // Fine-tuned: the run started from this export's weights, not fresh ones; its recipe and curves go along.
  const fineTuneOf = initial && {
    version: initial.version,
    training: initial.training,
    history: initial.history,
  };
  const manifest = await writeExport({
    directory: options.out,
    topology,
    weights,
    precision: options.precision,
    pictures: {
      [CURVES_FILE]: trainingCurvesSvg(fullHistory({ history, fineTuneOf })),
      [CONFUSION_FILE]: confusionMatrixSvg(servedMetrics.confusion),
      [RELIABILITY_FILE]: signals.reliabilitySvg,
    },
    manifest: {
      createdAt: new Date().toISOString(),
      parameters: PARAMETER_COUNT,
      training: {
        epochs: options.epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        seed: options.seed,
        augment: options.augment,
        recipe: {
          warmupEpochs: options.warmupEpochs,
          finalLearningRateFraction: FINAL_LEARNING_RATE_FRACTION,
          schedule: 'per-step linear warm-up, then cosine decay',
          // Adam unless stated (the key is left out for Adam, so older manifests read the same).
          ...(options.optimizer !== 'adam' ? { optimizer: 'SGD, Nesterov momentum 0.9' } : {}),
          labelSmoothing: options.labelSmoothing,
          emaDecay: options.emaDecay,
          // From this epoch on, the average was the plain mean of the weights after every step (SWA).
          ...(options.swaFrom > 0 ? { swaFromEpoch: options.swaFrom } : {}),
          ...(options.lateBatch ? { lateBatch: options.lateBatch } : {}),
          selectedWeights: bestSource,
          epochsCompleted: history.length,
          selection: `lowest ${SELECTION} over every epoch, raw and averaged weights`,
          bestValidationLoss: bestValLoss,
          ...(options.augment ? { augmentation: options.augmentation } : {}),
          // Trained with batch norm before these layers' ReLU, folded into their weights at export.
          ...(options.batchNorm.length > 0 ? { batchNormFoldedInto: options.batchNorm } : {}),
          // Distilled: this share of each target was the mean probabilities of these models.
          ...(teacher ? { distilledFrom: teacher.versions, teacherWeight: teacher.weight } : {}),
          // This share of the training examples were two touching digits with an even target.
          ...(options.mergeShare > 0 ? { mergeShare: options.mergeShare } : {}),
          // This share of the training examples were cropped from a touching pair, as the number reader cuts.
          ...(options.neighbourShare > 0 ? { neighbourShare: options.neighbourShare } : {}),
          // Mixup: every example was blended with another of its batch, λ ≥ 0.5 from Beta(α, α).
          ...(options.mixupAlpha > 0 ? { mixupAlpha: options.mixupAlpha } : {}),
          // Trained with the dropout layers passing everything (they do nothing at inference either way).
          ...(options.dropout ? {} : { dropout: 'off' }),
          // Decoupled weight decay: kernels shrank by learning rate × this after every step.
          ...(options.weightDecay > 0 ? { weightDecay: options.weightDecay } : {}),
        },
        trainExamples: train.indices.length,
        validationExamples: validation.indices.length,
        bestEpoch,
        seconds: Math.round(seconds),
        backend: `tfjs 4.22 wasm (SIMD, ${options.threads === 1 ? '1 thread' : `${options.threads} threads, data-parallel`}) + digit-edge training kernels`,
      },
      history,
      ...(fineTuneOf ? { fineTuneOf } : {}),
      test: test as Record<Precision, EvaluationMetrics>,
      calibration: signals.calibration,
      digitDetector: signals.digitDetector,
      ...(signals.segmentScorer ? { segmentScorer: signals.segmentScorer } : {}),
    },
  });
  if (extra) {
    await writeHoldOutReport(options.out, {
      corrections: extra.holdOut.source.count,
      heldOut: extra.holdOut.indices.length,
      trainedOn: extra.trained,
      weight: options.extraWeight,
      heldOutAccuracy: extraAccuracy,
      mnistTestAccuracy: servedMetrics.accuracy,
    });
  }
  console.log(
    `exported ${options.precision} model ${manifest.version} (${ARCHITECTURE.length} layers, ${PARAMETER_COUNT} parameters, ` +
      `best epoch ${bestEpoch}, ${bestSource} weights) to ${options.out} in ${((Date.now() - started) / 1000).toFixed(0)}s`,
  );
}

try {
  const options = parseTrainOptions(process.argv.slice(2));
  if (options.tail.epochs > 0) {
    // The run exports beside the final folder, and the fine-tune starts from that export (checked, like --init).
    const base = `${options.out}-base`;
    await main({ ...options, out: base });
    console.log(`--tail ${options.tail.epochs}: fine-tuning ${base} without dropout or augmentation`);
    await main(tailOptions(options, base));
  } else {
    await main(options);
  }
} catch (error) {
  if (error instanceof HelpRequested) {
    console.log(error.message);
    process.exit(0);
  }
  if (error instanceof OptionsError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  throw error;
}
