/** Both networks in TensorFlow.js's standard Layers format, out and back in (for Keras and tensorflowjs_converter). */
import * as tf from '@tensorflow/tfjs';
import { checkHyperParams } from '../protocol/config';
import { GanEngine } from './gan';
import { ModelFileError } from './errors';
import { checkFinite, isRecord, sameShape } from './weightChecks';

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
  // Float32 weights (what tf.io writes unquantised) are checked here; other dtypes load as they are.
  if (weightSpecs.every((spec) => (spec.dtype ?? 'float32') === 'float32' && !spec.quantization) && files.weights.byteLength % 4 === 0) {
    checkFinite(new Float32Array(files.weights), 'this network');
  }
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
