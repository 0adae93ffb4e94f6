/**
 * `npm run bench -- --profile`: where one training iteration's time goes on the active backend (the bench runs it on
 * wasm-1t, one engine on one thread, so every kernel runs in this thread). A few `GanEngine.trainIteration` calls of
 * the bench's workload are profiled with `tf.profile` after the bench has timed them (its timed iterations are the
 * warm-up); each kernel is put in a family (scripts/bench/kernelFamilies.ts) with its FLOPs, and each family's rate is
 * set against XNNPACK's forward convolution on the generator's largest convolution, timed in the same run.
 */
import * as tf from '@tensorflow/tfjs';

import { BATCH_SIZE, type BenchWorkload } from './workload';
import { summarizeProfile, type FamilyRow, type KernelFamily, type KernelRecord } from './kernelFamilies';

/** Profiled iterations: at least this many, then more while the budget lasts, up to the maximum. */
const PROFILE_MIN_ITERATIONS = 2;
const PROFILE_MAX_ITERATIONS = 5;
const PROFILE_SECONDS = 10;
/** The reference convolution: untimed warm-up calls, then the median of this many. */
const REFERENCE_WARMUP = 2;
const REFERENCE_REPEATS = 7;

/** The forward convolution the families' rates are compared with. */
export interface ReferenceConvolution {
  /** The generator layer whose shape it has (its largest convolution by FLOPs). */
  layer: string;
  input_shape: number[];
  filter_shape: number[];
  strides: number[];
  padding: 'same';
  flops: number;
  /** Median of REFERENCE_REPEATS calls of tf.conv2d. */
  ms: number;
  gflops: number;
}

/** One width's profile, as the bench's JSON carries it under `profile[width]`. */
export interface TrainingProfile {
  backend: string;
  iterations: number;
  /** Mean wall time of a profiled iteration. */
  iteration_ms: number;
  /** The bench's own timing of the same iteration, without the profiler. */
  unprofiled_iteration_ms: number | null;
  /** Sum of the kernels' times per iteration. */
  kernel_ms: number;
  families: FamilyRow[];
  reference: ReferenceConvolution;
  /** Records of op scopes (tfjs's `*__op` wrappers of custom gradients) whose kernels are counted by name instead. */
  wrapper_records: number;
  note: string;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface SymbolicLike {
  shape: (number | null)[];
}

/** The generator's largest convolution (by FLOPs), timed as one tf.conv2d of a batch on the active backend. */
export function referenceConvolution(generator: tf.LayersModel): ReferenceConvolution {
  let best: Omit<ReferenceConvolution, 'ms' | 'gflops'> | undefined;
  for (const layer of generator.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const filterShape = layer.getWeights()[0].shape as number[];
    const [kH, kW] = filterShape;
    const [, inH, inW, inC] = (layer.input as unknown as SymbolicLike).shape as number[];
    const [, outH, outW, outC] = layer.outputShape as number[];
    const config = layer.getConfig() as { strides: number[] | number; padding: string };
    if (config.padding !== 'same') throw new Error(`internal: the reference expects 'same' convolutions (${layer.name})`);
    const strides = Array.isArray(config.strides) ? config.strides : [config.strides, config.strides];
    const flops = 2 * BATCH_SIZE * outH * outW * kH * kW * inC * outC;
    if (flops > (best?.flops ?? 0)) {
      best = { layer: layer.name, input_shape: [BATCH_SIZE, inH, inW, inC], filter_shape: filterShape, strides, padding: 'same', flops };
    }
  }
  if (best === undefined) throw new Error('internal: the generator has no Conv2D layer');
  const reference = best;
  type Shape4 = [number, number, number, number];
  const x = tf.randomNormal(reference.input_shape as Shape4) as tf.Tensor4D;
  const filter = tf.randomNormal(reference.filter_shape as Shape4) as tf.Tensor4D;
  const times: number[] = [];
  try {
    for (let i = 0; i < REFERENCE_WARMUP + REFERENCE_REPEATS; i++) {
      const start = performance.now();
      const y = tf.conv2d(x, filter, reference.strides as [number, number], 'same');
      // The CPU backends compute as the kernel is called; reading one value waits for a GPU backend too.
      if (tf.getBackend() !== 'wasm' && tf.getBackend() !== 'cpu') y.dataSync();
      const ms = performance.now() - start;
      y.dispose();
      if (i >= REFERENCE_WARMUP) times.push(ms);
    }
  } finally {
    x.dispose();
    filter.dispose();
  }
  const ms = median(times);
  return { ...reference, ms, gflops: reference.flops / (ms / 1000) / 1e9 };
}

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/**
 * While profiling, marks the kernel calls made by the generator's batch-norm layers (their moments, the
 * normalisation and the moving statistics) and by the FusedBatchNorm gradient (Cantus's batchNormGradient), as
 * index ranges into the active profile's kernel list. The gradient of the moments is taken op by op by the tape and
 * stays in the element-wise and reduction families. `restore` puts the layers' calls and the gradient back.
 */
function markBatchNorms(generator: tf.LayersModel): { ranges: [number, number][]; restore(): void } {
  const ranges: [number, number][] = [];
  const count = (): number => tf.engine().state.activeProfile.kernels.length;
  const restores: (() => void)[] = [];
  for (const layer of generator.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const fields = layer as unknown as { call: LayerCall };
    const hadOwn = Object.prototype.hasOwnProperty.call(layer, 'call');
    const own = fields.call;
    fields.call = (inputs, kwargs) => {
      const start = count();
      try {
        return own.call(layer, inputs, kwargs);
      } finally {
        ranges.push([start, count()]);
      }
    };
    restores.push(() => {
      if (hadOwn) fields.call = own;
      else delete (layer as unknown as { call?: LayerCall }).call;
    });
  }
  const gradient = tf.getGradient(tf.FusedBatchNorm);
  if (gradient !== undefined) {
    tf.registerGradient({
      ...gradient,
      gradFunc: (dy, saved, attrs) => {
        const start = count();
        const grads = gradient.gradFunc(dy, saved, attrs);
        ranges.push([start, count()]);
        return Object.fromEntries(
          Object.entries(grads).map(([input, grad]) => [
            input,
            () => {
              const from = count();
              try {
                return grad();
              } finally {
                ranges.push([from, count()]);
              }
            },
          ]),
        );
      },
    });
    restores.push(() => tf.registerGradient(gradient));
  }
  return { ranges, restore: () => restores.forEach((restore) => restore()) };
}

/**
 * Profiles a few training iterations of `workload` on the active backend (already warm: the bench calls this after
 * timing it) and sums them up per kernel family against the reference convolution.
 */
export async function profileTraining(
  workload: BenchWorkload,
  unprofiledIterationMs: number | null,
  log: (line: string) => void,
): Promise<TrainingProfile> {
  const { engine, batches } = workload;
  const backend = tf.getBackend();
  const records: KernelRecord[] = [];
  const overrides: (KernelFamily | undefined)[] = [];
  let wrappers = 0;
  let wallMs = 0;
  let iterations = 0;
  const marks = markBatchNorms(engine.generator);
  try {
    while (iterations < PROFILE_MIN_ITERATIONS || (iterations < PROFILE_MAX_ITERATIONS && wallMs < PROFILE_SECONDS * 1000)) {
      marks.ranges.length = 0;
      const start = performance.now();
      const profile = await tf.profile(async () => {
        await engine.trainIteration(batches);
      });
      wallMs += performance.now() - start;
      iterations++;
      const inBatchNorm = new Uint8Array(profile.kernels.length);
      for (const [from, to] of marks.ranges) inBatchNorm.fill(1, from, to);
      profile.kernels.forEach((kernel, index) => {
        // A record with no kernel of that name is an op scope around other kernels (a custom gradient's forward):
        // its time is theirs, recorded on their own, so it is left out.
        if (tf.getKernel(kernel.name, backend) === undefined) {
          wrappers++;
          return;
        }
        if (typeof kernel.kernelTimeMs !== 'number') throw new Error(`the ${backend} backend timed no ${kernel.name} kernel`);
        records.push({
          name: kernel.name,
          inputShapes: kernel.inputShapes,
          outputShapes: kernel.outputShapes,
          kernelTimeMs: kernel.kernelTimeMs,
        });
        overrides.push(inBatchNorm[index] ? 'batch_norm' : undefined);
      });
    }
  } finally {
    marks.restore();
  }
  const reference = referenceConvolution(engine.generator);
  const families = summarizeProfile(records, { iterations, wallMs, referenceGflops: reference.gflops, familyOf: (i) => overrides[i] });
  const kernelMs = records.reduce((sum, r) => sum + r.kernelTimeMs, 0) / iterations;
  const notes = [
    "batch norm: what the generator's batch-norm layers run in training (moments, normalisation, moving statistics) and " +
      'the FusedBatchNorm gradient; the gradient of the moments stays in element-wise and reductions',
    'convolution gradients: the FLOPs of their forward convolution',
    'MB moved: copies wherever they run, 2 x 4 bytes per output element (read and write); Reshape and Identity share memory',
  ];
  if (kernelMs > wallMs / iterations) notes.push('the kernels add up to more than the wall time: some kernels ran inside others');
  log(
    `${backend} width ${workload.width}: profiled ${iterations} iterations, ${(wallMs / iterations).toFixed(0)} ms each, ` +
      `${kernelMs.toFixed(0)} ms in kernels; reference ${reference.layer} ${reference.gflops.toFixed(2)} GFLOP/s`,
  );
  return {
    backend,
    iterations,
    iteration_ms: wallMs / iterations,
    unprofiled_iteration_ms: unprofiledIterationMs,
    kernel_ms: kernelMs,
    families,
    reference,
    wrapper_records: wrappers / iterations,
    note: notes.join('; '),
  };
}
