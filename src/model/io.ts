/**
 * Model files: one JSON text (format name and version, the resolved config, both networks' topologies,
 * weight specs, counters) and one binary buffer of little-endian float32 weights, in the order the specs
 * list them. A training state is the same pair plus both Adam optimisers' moments, so a resumed run
 * continues exactly. Nothing is stored here: the worker keeps these in IndexedDB, the page offers downloads.
 */
import * as tf from '@tensorflow/tfjs';
import { checkHyperParams } from '../protocol/config';
import type { ModelFiles } from '../protocol/messages';
import { GanEngine, type NamedTensor } from './engine';
import { ModelFileError } from './errors';

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
}

class WeightWriter {
  private chunks: Float32Array[] = [];
  private length = 0;
  async add(name: string, tensor: tf.Tensor): Promise<WeightSpec> {
    const values = (await tensor.data()) as Float32Array;
    const spec: WeightSpec = { name, shape: tensor.shape.slice(), dtype: 'float32', offset: this.length };
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

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

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

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function tensorOf(spec: WeightSpec, values: Float32Array, expectedShape: readonly (number | null)[], where: string): tf.Tensor {
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
  return tf.tensor(values.subarray(spec.offset, spec.offset + size), spec.shape);
}

function loadNetwork(model: tf.LayersModel, stored: StoredNetwork, values: Float32Array, label: string): void {
  if (stored.weights.length !== model.weights.length) {
    throw new ModelFileError(
      'bad-shape',
      `The ${label} in this file has ${stored.weights.length} weight tensors, expected ${model.weights.length}.`,
    );
  }
  const tensors = model.weights.map((w, i) => tensorOf(stored.weights[i], values, w.shape, `the ${label} (${w.originalName})`));
  try {
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
  const moments = stored.weights.map((spec, i) => ({
    name: spec.name,
    tensor: tensorOf(spec, values, variables[i % variables.length].shape, `the ${label} optimiser`),
  }));
  return [{ name: 'iter', tensor: tf.scalar(stored.iterations, 'int32') }, ...moments];
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
  if (withOptimizers && manifest.optimizers) {
    const generator = optimizerState(manifest.optimizers.generator, engine.generator, values, 'generator');
    const critic = optimizerState(manifest.optimizers.critic, engine.critic, values, 'critic');
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

/**
 * One network in TensorFlow.js's standard Layers format (`tf.io`): a model.json (topology, format
 * 'layers-model', weights manifest) and its one weights file. `tf.loadLayersModel` reads it, and
 * `tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras_saved_model` (or `keras`)
 * turns it into a Keras model, so the networks can be trained elsewhere (docs/scaling.md).
 */
export interface LayersModelFiles {
  /** model.json's text; its manifest names `weightsFileName`. */
  modelJson: string;
  weights: ArrayBuffer;
  weightsFileName: string;
}

/** Both networks of a model in the Layers format, beside Cantus's own file (which also keeps config and counters). */
export interface LayersExport {
  generator: LayersModelFiles;
  critic: LayersModelFiles;
}

/** Writes one network in the Layers format, its weights file named `weightsFileName`. */
export async function exportLayersModel(model: tf.LayersModel, weightsFileName: string): Promise<LayersModelFiles> {
  let files: LayersModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData;
      // One buffer per model: tfjs 4.22 may hand a list of buffers for big models; join them into one file.
      const joined = weights === undefined ? new ArrayBuffer(0) : Array.isArray(weights) ? tf.io.concatenateArrayBuffers(weights) : weights;
      // The same fields tf.io's own file writers put in model.json.
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { modelJson: JSON.stringify(modelJson), weights: joined, weightsFileName };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (files === undefined) throw new Error('internal: the Layers model was not written');
  return files;
}

/** Both networks of `engine` in the Layers format (generator.weights.bin, critic.weights.bin). */
export async function exportLayersModels(engine: GanEngine): Promise<LayersExport> {
  return {
    generator: await exportLayersModel(engine.generator, 'generator.weights.bin'),
    critic: await exportLayersModel(engine.critic, 'critic.weights.bin'),
  };
}

/** Reads one network in the Layers format; throws ModelFileError when the files are not one. */
export async function importLayersModel(files: LayersModelFiles): Promise<tf.LayersModel> {
  let json: unknown;
  try {
    json = JSON.parse(files.modelJson);
  } catch (cause) {
    throw new ModelFileError('not-json', 'This model.json is not valid JSON: it is damaged or not a TF.js Layers model.', { cause });
  }
  if (!isRecord(json) || !isRecord(json.modelTopology) || !Array.isArray(json.weightsManifest)) {
    throw new ModelFileError('foreign', 'This model.json is not a TF.js Layers model (it has no modelTopology or weightsManifest).');
  }
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  const weightSpecs = manifest.flatMap((group) => group.weights);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: files.weights }));
  } catch (cause) {
    throw new ModelFileError(
      'bad-shape',
      `This Layers model could not be read: ${cause instanceof Error ? cause.message : String(cause)}.`,
      { cause },
    );
  }
}

/**
 * Builds an engine of `config` whose networks take their weights from Layers-format files (for example networks
 * trained elsewhere and converted back with tensorflowjs_converter); throws ModelFileError when they do not fit.
 */
export async function importLayersModels(files: LayersExport, config: unknown): Promise<GanEngine> {
  const checked = checkHyperParams(config);
  if (!checked.ok)
    throw new ModelFileError(
      'bad-config',
      `These settings are not valid: ${checked.problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`,
    );
  const generator = await importLayersModel(files.generator);
  const critic = await importLayersModel(files.critic);
  const engine = GanEngine.create(checked.value);
  try {
    for (const [target, source, label] of [
      [engine.generator, generator, 'generator'],
      [engine.critic, critic, 'critic'],
    ] as const) {
      if (source.weights.length !== target.weights.length) {
        throw new ModelFileError(
          'bad-shape',
          `The ${label} has ${source.weights.length} weight tensors, this model size needs ${target.weights.length}.`,
        );
      }
      const tensors = source.weights.map((w, i) => {
        if (!sameShape(target.weights[i].shape, w.shape as number[])) {
          throw new ModelFileError(
            'bad-shape',
            `The ${label}'s ${w.originalName} has shape ${JSON.stringify(w.shape)}, this model size needs ${JSON.stringify(target.weights[i].shape)}.`,
          );
        }
        return w.read();
      });
      target.setWeights(tensors);
    }
    return engine;
  } catch (error) {
    engine.dispose();
    throw error;
  } finally {
    generator.dispose();
    critic.dispose();
  }
}
