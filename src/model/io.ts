/**
 * Model files: one JSON text (format name and version, the resolved config, both networks' topologies,
 * weight specs, counters) and one binary buffer of little-endian float32 weights, in the order the specs
 * list them. A training state is the same pair plus both Adam optimisers' moments, so a resumed run
 * continues exactly. Nothing is stored here: the worker keeps these in IndexedDB, the page offers downloads.
 */
import * as tf from '@tensorflow/tfjs';
import { dataProfileProblem, type DataProfile } from '../music/dataProfile';
import { checkHyperParams } from '../protocol/config';
import type { ModelFiles } from '../protocol/messages';
import { GanEngine, type NamedTensor } from './gan';
import { ModelFileError } from './errors';
import { checkFinite, isRecord, sameShape } from './weightChecks';
import { STYLE_CRITIC_DESIGN, STYLE_CRITIC_VIEW, styleCriticFromWeights, type StyleCritic } from './styleCritic';
import { classifierShapes } from './windowClassifier';
import { viewChannels } from '../music/criticWindows';

/** The `format` field of every Cantus model file. */
export const MODEL_FORMAT = 'cantus-accompaniment-gan';
/** The newest file version this code writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

/** One stored tensor: its name (stable across runs), shape and place in the weights buffer. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Offset in float32 elements from the start of the weights buffer. */
  offset: number;
}

/** One network as stored: Keras-style topology and its weights (trainable and moving statistics). */
export interface StoredNetwork {
  topology: unknown;
  weights: WeightSpec[];
}

/** One Adam optimiser's stored state. */
export interface StoredOptimizer {
  /** Update steps taken (Adam's bias correction depends on it). */
  iterations: number;
  /** First moments, then second moments, in the network's trainable-variable order. */
  weights: WeightSpec[];
}

/** The JSON half of a model file. */
export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  config: unknown;
  counters: { epoch: number; iteration: number };
  generator: StoredNetwork;
  critic: StoredNetwork;
  /** Present in a training state only. */
  optimizers?: { generator: StoredOptimizer; critic: StoredOptimizer };
  /** Total float32 values in the weights buffer. */
  weightValues: number;
  /** What the model was trained on (src/music/dataProfile.ts); absent in models of the Bach chorales. */
  data?: DataProfile;
  /** The style critic fitted on its candidates (src/model/styleCritic.ts); absent where none was fitted. */
  styleCritic?: StoredStyleCritic;
}

/** A style critic as stored: what it was fitted on and its classifier's weights (STYLE_CRITIC_DESIGN's shapes). */
export interface StoredStyleCritic {
  fittedAtIteration: number;
  candidates: number;
  weights: WeightSpec[];
}

class WeightWriter {
  private chunks: Float32Array[] = [];
  private length = 0;
  async add(name: string, tensor: tf.Tensor): Promise<WeightSpec> {
    return this.addValues(name, tensor.shape, (await tensor.data()) as Float32Array);
  }
  addValues(name: string, shape: readonly number[], values: Float32Array): WeightSpec {
    const spec: WeightSpec = { name, shape: shape.slice(), dtype: 'float32', offset: this.length };
    this.chunks.push(Float32Array.from(values));
    this.length += values.length;
    return spec;
  }
  get size(): number {
    return this.length;
  }
  buffer(): ArrayBuffer {
    const all = new Float32Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all.buffer;
  }
}

async function storeNetwork(model: tf.LayersModel, writer: WeightWriter): Promise<StoredNetwork> {
  const weights: WeightSpec[] = [];
  for (const w of model.weights) weights.push(await writer.add(w.originalName, w.read()));
  return { topology: model.toJSON(null, false), weights };
}

async function storeOptimizer(state: NamedTensor[], writer: WeightWriter): Promise<StoredOptimizer> {
  const [iterations, ...moments] = state;
  const weights: WeightSpec[] = [];
  for (const m of moments) weights.push(await writer.add(m.name, m.tensor));
  return { iterations: (await iterations.tensor.data())[0], weights };
}

async function write(engine: GanEngine, withOptimizers: boolean): Promise<ModelFiles> {
  const writer = new WeightWriter();
  const generator = await storeNetwork(engine.generator, writer);
  const critic = await storeNetwork(engine.critic, writer);
  let styleCritic: StoredStyleCritic | undefined;
  if (engine.styleCritic) {
    const { classifier, fittedAtIteration, candidates } = engine.styleCritic;
    const weights = await classifier.weights();
    const specs = weights.values.map((values, i) => writer.addValues(`style_critic/${i}`, weights.shapes[i], values));
    styleCritic = { fittedAtIteration, candidates, weights: specs };
  }
  let optimizers: ModelManifest['optimizers'];
  if (withOptimizers) {
    const state = await engine.optimizerWeights();
    try {
      optimizers = { generator: await storeOptimizer(state.generator, writer), critic: await storeOptimizer(state.critic, writer) };
    } finally {
      // getWeights hands out the live moment variables plus a fresh iteration scalar; free only the scalar.
      tf.dispose([state.generator[0].tensor, state.critic[0].tensor]);
    }
  }
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    config: engine.config,
    counters: { epoch: engine.epoch, iteration: engine.iteration },
    generator,
    critic,
    ...(optimizers ? { optimizers } : {}),
    weightValues: writer.size,
    ...(engine.dataProfile ? { data: engine.dataProfile } : {}),
    ...(styleCritic ? { styleCritic } : {}),
  };
  return { modelJson: JSON.stringify(manifest), weights: writer.buffer() };
}

/** The model as files: its config, topologies, weights and counters (no optimiser state). */
export function exportModel(engine: GanEngine): Promise<ModelFiles> {
  return write(engine, false);
}

/** Everything needed to resume training exactly: the model plus both Adam optimisers' state. */
export function exportTrainingState(engine: GanEngine): Promise<ModelFiles> {
  return write(engine, true);
}

function readManifest(files: ModelFiles): ModelManifest {
  if (typeof files?.modelJson !== 'string' || !(files.weights instanceof ArrayBuffer)) {
    throw new ModelFileError('foreign', 'A Cantus model needs two files: its model JSON text and its weights file.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(files.modelJson);
  } catch (cause) {
    throw new ModelFileError('not-json', 'This model file is not valid JSON: it is damaged or not a Cantus model.', { cause });
  }
  if (!isRecord(parsed) || parsed.format !== MODEL_FORMAT) {
    throw new ModelFileError('foreign', 'This file is not a Cantus accompaniment model (it may be from another program).');
  }
  if (typeof parsed.formatVersion !== 'number' || !Number.isInteger(parsed.formatVersion) || parsed.formatVersion < 1) {
    throw new ModelFileError('foreign', 'This model file has no valid format version: it is damaged.');
  }
  if (parsed.formatVersion > MODEL_FORMAT_VERSION) {
    throw new ModelFileError(
      'newer-version',
      `This model was saved by a newer version of Cantus (file format ${parsed.formatVersion}); update Cantus to open it.`,
    );
  }
  const network = (value: unknown) => isRecord(value) && Array.isArray(value.weights);
  if (!network(parsed.generator) || !network(parsed.critic) || !isRecord(parsed.counters) || typeof parsed.weightValues !== 'number') {
    throw new ModelFileError('bad-shape', 'This model file is incomplete: its networks or counters are missing.');
  }
  const profileProblem = parsed.data === undefined ? null : dataProfileProblem(parsed.data);
  if (profileProblem) throw new ModelFileError('bad-shape', `This model file is damaged: ${profileProblem}.`);
  return parsed as unknown as ModelManifest;
}

function readWeights(files: ModelFiles, manifest: ModelManifest): Float32Array {
  if (files.weights.byteLength !== manifest.weightValues * 4) {
    throw new ModelFileError(
      'truncated',
      `The weights file has ${files.weights.byteLength} bytes but this model needs ${manifest.weightValues * 4}: it is incomplete or belongs to another model.`,
    );
  }
  return new Float32Array(files.weights);
}

/** The values of one stored tensor, checked: its shape is the expected one, it lies inside the file, every value finite. */
function weightValues(spec: WeightSpec, values: Float32Array, expectedShape: readonly (number | null)[], where: string): Float32Array {
  if (!isRecord(spec) || !Array.isArray(spec.shape) || !sameShape(expectedShape, spec.shape)) {
    throw new ModelFileError(
      'bad-shape',
      `The weights of ${where} do not fit this model (shape ${JSON.stringify(spec?.shape)} instead of ${JSON.stringify(expectedShape)}).`,
    );
  }
  const size = spec.shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(spec.offset) || spec.offset < 0 || spec.offset + size > values.length) {
    throw new ModelFileError('truncated', `The weights of ${where} lie outside the weights file: it is incomplete.`);
  }
  const part = values.subarray(spec.offset, spec.offset + size);
  checkFinite(part, where);
  return part;
}

function tensorOf(spec: WeightSpec, values: Float32Array, expectedShape: readonly (number | null)[], where: string): tf.Tensor {
  return tf.tensor(weightValues(spec, values, expectedShape, where), spec.shape);
}

function loadNetwork(model: tf.LayersModel, stored: StoredNetwork, values: Float32Array, label: string): void {
  if (stored.weights.length !== model.weights.length) {
    throw new ModelFileError(
      'bad-shape',
      `The ${label} in this file has ${stored.weights.length} weight tensors, expected ${model.weights.length}.`,
    );
  }
  const tensors: tf.Tensor[] = [];
  try {
    // Built one by one inside the try, so the ones made before a refused weight are freed too.
    model.weights.forEach((w, i) => tensors.push(tensorOf(stored.weights[i], values, w.shape, `the ${label} (${w.originalName})`)));
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

function optimizerState(stored: StoredOptimizer, model: tf.LayersModel, values: Float32Array, label: string): NamedTensor[] {
  const variables = model.trainableWeights;
  if (!Number.isInteger(stored.iterations) || stored.iterations < 0 || !Array.isArray(stored.weights)) {
    throw new ModelFileError('bad-shape', `The ${label} optimiser state in this file is damaged.`);
  }
  // Adam creates its moments on the first update, so a state saved before any update has none.
  if (stored.weights.length !== 0 && stored.weights.length !== 2 * variables.length) {
    throw new ModelFileError(
      'bad-shape',
      `The ${label} optimiser state has ${stored.weights.length} tensors, expected ${2 * variables.length}.`,
    );
  }
  const moments: NamedTensor[] = [];
  try {
    stored.weights.forEach((spec, i) =>
      moments.push({ name: spec.name, tensor: tensorOf(spec, values, variables[i % variables.length].shape, `the ${label} optimiser`) }),
    );
  } catch (error) {
    tf.dispose(moments.map((n) => n.tensor));
    throw error;
  }
  return [{ name: 'iter', tensor: tf.scalar(stored.iterations, 'int32') }, ...moments];
}

function readStyleCritic(stored: StoredStyleCritic, values: Float32Array): StyleCritic {
  const shapes = classifierShapes(STYLE_CRITIC_DESIGN, viewChannels(STYLE_CRITIC_VIEW));
  if (!isRecord(stored) || !Array.isArray(stored.weights) || stored.weights.length !== shapes.length) {
    throw new ModelFileError('bad-shape', 'The style critic in this model file is damaged (its weights do not fit its design).');
  }
  const arrays = stored.weights.map((spec, i) => weightValues(spec, values, shapes[i], 'the style critic'));
  try {
    return styleCriticFromWeights({ shapes, values: arrays }, stored.fittedAtIteration, stored.candidates);
  } catch (error) {
    throw new ModelFileError('bad-shape', `The style critic in this model file is damaged: ${(error as Error).message}.`);
  }
}

/**
 * Models saved before the generator had a voice term were trained without one: their config reads as
 * voiceLossWeight 0, not as today's default, so resuming one continues the same objective.
 */
function withVoiceLossOfItsTime(config: unknown): unknown {
  if (config === null || typeof config !== 'object' || 'voiceLossWeight' in config) return config;
  return { ...config, voiceLossWeight: 0 };
}

async function read(files: ModelFiles, withOptimizers: boolean): Promise<GanEngine> {
  const manifest = readManifest(files);
  const checked = checkHyperParams(withVoiceLossOfItsTime(manifest.config));
  if (!checked.ok) {
    const problems = checked.problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new ModelFileError('bad-config', `The settings saved in this model are not valid: ${problems}.`);
  }
  if (withOptimizers && !manifest.optimizers) {
    throw new ModelFileError('bad-shape', 'This file holds a finished model, not a training state: training cannot resume from it.');
  }
  const values = readWeights(files, manifest);
  const engine = GanEngine.create(checked.value);
  try {
    await loadInto(engine, manifest, values, withOptimizers);
    return engine;
  } catch (error) {
    engine.dispose();
    throw error;
  }
}

/** Loads weights, counters and (when `withOptimizers`) optimiser state from a read file into `engine`. */
async function loadInto(engine: GanEngine, manifest: ModelManifest, values: Float32Array, withOptimizers: boolean): Promise<void> {
  loadNetwork(engine.generator, manifest.generator, values, 'generator');
  loadNetwork(engine.critic, manifest.critic, values, 'critic');
  const { epoch, iteration } = manifest.counters;
  if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(iteration) || iteration < 0) {
    throw new ModelFileError('bad-shape', 'The epoch and iteration counters in this model file are damaged.');
  }
  engine.epoch = epoch;
  engine.iteration = iteration;
  // A replica's state, loaded into the engine it was started from, has no profile: the engine keeps its own.
  if (manifest.data) engine.dataProfile = manifest.data;
  if (manifest.styleCritic) engine.styleCritic = readStyleCritic(manifest.styleCritic, values);
  if (withOptimizers && manifest.optimizers) {
    const generator = optimizerState(manifest.optimizers.generator, engine.generator, values, 'generator');
    let critic: NamedTensor[];
    try {
      critic = optimizerState(manifest.optimizers.critic, engine.critic, values, 'critic');
    } catch (error) {
      tf.dispose(generator.map((n) => n.tensor));
      throw error;
    }
    try {
      await engine.setOptimizerWeights({ generator, critic });
    } finally {
      // setWeights copies each tensor into a variable of its own (shared data, counted references).
      tf.dispose([...generator, ...critic].map((n) => n.tensor));
    }
  }
}

/**
 * Loads a training state written by `exportTrainingState` from an engine of the same settings into `engine`
 * (weights, optimiser state, counters), as data-parallel training brings the coordinator's engine up to date.
 */
export async function loadTrainingStateInto(engine: GanEngine, files: ModelFiles): Promise<void> {
  const manifest = readManifest(files);
  if (!manifest.optimizers) throw new ModelFileError('bad-shape', 'This file holds a finished model, not a training state.');
  await loadInto(engine, manifest, readWeights(files, manifest), true);
}

/** Reads a model saved by `exportModel` (or a training state, ignoring its optimiser part). */
export function importModel(files: ModelFiles): Promise<GanEngine> {
  return read(files, false);
}

/** Reads a training state saved by `exportTrainingState`, optimiser state included. */
export function importTrainingState(files: ModelFiles): Promise<GanEngine> {
  return read(files, true);
}

export {
  exportLayersModel,
  exportLayersModels,
  importLayersModel,
  importLayersModels,
  type LayersExport,
  type LayersModelFiles,
} from './layersIo';
