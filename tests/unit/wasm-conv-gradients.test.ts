/**
 * The wasm convolution-gradient kernels against the cpu backend: every convolution shape of the model (at a
 * small width), odd and even sizes, first and second order, and no leaked memory.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from '../../src/model/wasm/kernels';
import { filterGradientPadding, inputGradientPhasePlan } from '../../src/model/wasm/geometry';
import { registerWasmTrainingKernels } from '../../src/model/wasm/index';
import { startWasmBackendInNode } from '../../src/model/wasm/node';

type Shape4 = [number, number, number, number];
type Padding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  input: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Padding;
}

const WIDTH = 2;
const BATCH = 2;

/** The model's convolutions at base width 2 (generator down and up paths, critic), plus edge cases. */
const CASES: ConvCase[] = [
  { name: 'generator d1', input: [BATCH, 32, 128, 1], filter: [4, 4, 1, WIDTH], strides: 2, pad: 'same' },
  { name: 'generator d2', input: [BATCH, 16, 64, WIDTH], filter: [4, 4, WIDTH, 2 * WIDTH], strides: 2, pad: 'same' },
  { name: 'generator d3', input: [BATCH, 8, 32, 2 * WIDTH], filter: [4, 4, 2 * WIDTH, 4 * WIDTH], strides: 2, pad: 'same' },
  { name: 'generator d4', input: [BATCH, 4, 16, 4 * WIDTH], filter: [4, 4, 4 * WIDTH, 8 * WIDTH], strides: 2, pad: 'same' },
  { name: 'generator u4', input: [BATCH, 4, 16, 16 * WIDTH], filter: [4, 4, 16 * WIDTH, 4 * WIDTH], strides: 1, pad: 'same' },
  { name: 'generator u5', input: [BATCH, 8, 32, 8 * WIDTH], filter: [4, 4, 8 * WIDTH, 2 * WIDTH], strides: 1, pad: 'same' },
  { name: 'generator u6', input: [BATCH, 16, 64, 4 * WIDTH], filter: [4, 4, 4 * WIDTH, WIDTH], strides: 1, pad: 'same' },
  { name: 'generator out', input: [BATCH, 32, 128, 2 * WIDTH], filter: [4, 4, 2 * WIDTH, 4], strides: 1, pad: 'same' },
  { name: 'critic c1', input: [BATCH, 32, 128, 5], filter: [4, 4, 5, WIDTH], strides: 2, pad: 'same' },
  { name: 'batch of one, 2x8', input: [1, 2, 8, 3], filter: [4, 4, 3, 2], strides: 2, pad: 'same' },
  { name: 'odd sizes, stride 2 same', input: [2, 7, 11, 3], filter: [4, 4, 3, 2], strides: 2, pad: 'same' },
  { name: 'odd sizes, stride 1 same', input: [2, 5, 9, 2], filter: [4, 4, 2, 3], strides: 1, pad: 'same' },
  { name: 'odd kernel, stride 2 valid', input: [2, 9, 10, 3], filter: [3, 3, 3, 2], strides: 2, pad: 'valid' },
  { name: 'even kernel, stride 2 valid, leftover rows', input: [2, 9, 11, 2], filter: [4, 4, 2, 3], strides: 2, pad: 'valid' },
  { name: 'stride 3 same', input: [1, 10, 13, 2], filter: [4, 4, 2, 2], strides: 3, pad: 'same' },
  { name: 'stride larger than kernel', input: [2, 9, 9, 2], filter: [2, 2, 2, 3], strides: 3, pad: 'valid' },
  { name: 'unequal strides', input: [2, 8, 12, 2], filter: [4, 3, 2, 3], strides: [1, 2], pad: 'same' },
  {
    name: 'explicit asymmetric padding',
    input: [2, 8, 10, 2],
    filter: [4, 4, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
];

/** Largest absolute difference relative to the largest absolute reference value. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
  }
  expect(scale).toBeGreaterThan(0);
  return difference / scale;
}

/** Deterministic values in [-1, 1) so both backends see identical inputs. */
function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

function sizeOf(shape: number[]): number {
  return shape.reduce((product, n) => product * n, 1);
}

/** Runs `compute` on one backend with fresh tensors built from the same values, returning plain arrays. */
async function onBackend(
  backend: 'wasm' | 'cpu',
  convCase: ConvCase,
  compute: (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(randomValues(sizeOf(convCase.input), 11), convCase.input);
  const filter = tf.tensor4d(randomValues(sizeOf(convCase.filter), 23), convCase.filter);
  const outputs = compute(x, filter);
  const values = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, filter, ...outputs]);
  return values;
}

function conv(x: tf.Tensor4D, filter: tf.Tensor4D, convCase: ConvCase): tf.Tensor4D {
  return tf.conv2d(x, filter, convCase.strides, convCase.pad);
}

function outputShape(x: tf.Tensor4D, filter: tf.Tensor4D, convCase: ConvCase): number[] {
  return tf.tidy(() => conv(x, filter, convCase).shape);
}

/** A fixed weighting of the output, so the loss is not symmetric in its elements. */
function weighting(shape: number[]): tf.Tensor {
  return tf.tensor(randomValues(sizeOf(shape), 37), shape);
}

/** dL/dx and dL/dW of L = sum(conv(x, W) * r). */
function firstOrder(convCase: ConvCase) {
  return (x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor[] => {
    const r = weighting(outputShape(x, filter, convCase));
    const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D, convCase), r)))([
      x,
      filter,
    ]);
    r.dispose();
    return gradients;
  };
}

/**
 * Gradient of a penalty on the input gradient, as WGAN-GP needs: P = sum(g^2) with
 * g = d/dx sum(conv(x, W)^2 * r); returns dP/dW and dP/dx (conv is squared so that g depends on x too).
 */
function secondOrder(convCase: ConvCase) {
  return (x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor[] => {
    const r = weighting(outputShape(x, filter, convCase));
    const penalty = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const inputGradient = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.square(conv(xi as tf.Tensor4D, b as tf.Tensor4D, convCase)), r)))(
        a,
      );
      return tf.sum(tf.square(inputGradient));
    };
    const gradients = tf.grads(penalty)([x, filter]);
    r.dispose();
    return gradients;
  };
}

beforeAll(async () => {
  await startWasmBackendInNode();
});

describe('wasm training kernels', () => {
  it('are registered on the wasm backend, idempotently', () => {
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2DBackpropFilterConfig.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInputConfig.kernelFunc);
  });

  it.each(CASES)('first-order gradients match the cpu backend: $name', async (convCase) => {
    const wasm = await onBackend('wasm', convCase, firstOrder(convCase));
    const cpu = await onBackend('cpu', convCase, firstOrder(convCase));
    expect(relativeError(wasm[0], cpu[0])).toBeLessThan(1e-4);
    expect(relativeError(wasm[1], cpu[1])).toBeLessThan(1e-4);
  });

  it.each(CASES)('second-order gradients match the cpu backend: $name', async (convCase) => {
    const wasm = await onBackend('wasm', convCase, secondOrder(convCase));
    const cpu = await onBackend('cpu', convCase, secondOrder(convCase));
    expect(relativeError(wasm[0], cpu[0])).toBeLessThan(1e-4);
    expect(relativeError(wasm[1], cpu[1])).toBeLessThan(1e-4);
  });

  it('leak no tensors and no wasm memory', async () => {
    await tf.setBackend('wasm');
    const convCase = CASES[10];
    const backend = tf.backend();
    // One warm-up run, so lazily created state is not counted as a leak.
    tf.dispose(secondOrder(convCase)(tf.ones(convCase.input), tf.ones(convCase.filter)));
    const x = tf.tensor4d(randomValues(sizeOf(convCase.input), 5), convCase.input);
    const filter = tf.tensor4d(randomValues(sizeOf(convCase.filter), 6), convCase.filter);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = backend.numDataIds();
    for (let i = 0; i < 3; i++) tf.dispose([...firstOrder(convCase)(x, filter), ...secondOrder(convCase)(x, filter)]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(dataBefore);
    tf.dispose([x, filter]);
  });
});

describe('gradient geometry', () => {
  it('pads the filter-gradient input so the output spans exactly the kernel', () => {
    // Even 'same' input, stride 2: tf pads 1 before and 1 after; 16 outputs dilated by 2 span 31 rows.
    const padding = filterGradientPadding({ kernel: 4, stride: 2, padBefore: 1, inSize: 32, outSize: 16 });
    expect(32 + padding.before + padding.after - 31 + 1).toBe(4);
    expect(padding).toEqual({ before: 1, after: 1 });
  });

  it('crops instead of padding when valid convolution leaves rows unused', () => {
    const padding = filterGradientPadding({ kernel: 4, stride: 2, padBefore: 0, inSize: 9, outSize: 3 });
    expect(padding.after).toBe(-1);
  });

  it('uses every filter tap exactly once across the stride phases', () => {
    for (const stride of [1, 2, 3]) {
      for (const kernel of [2, 3, 4]) {
        const plan = inputGradientPhasePlan({ kernel, stride, padBefore: 1, inSize: 12, outSize: Math.ceil(12 / stride) });
        const taps = plan.phases.flatMap((phase) => phase.tapOf).sort((a, b) => a - b);
        expect(taps).toEqual(Array.from({ length: kernel }, (_, a) => a));
      }
    }
  });

  it('gives each stride-2 phase of a 4x4 kernel only its own 2 taps, no shared zeros', () => {
    // 'same' padding of an even input at stride 2 pads 1 before: even inputs take taps 1 and 3, odd ones 0 and 2.
    const plan = inputGradientPhasePlan({ kernel: 4, stride: 2, padBefore: 1, inSize: 32, outSize: 16 });
    expect(plan.phaseLength).toBe(16);
    expect(plan.phases.map((phase) => phase.tapOf)).toEqual([
      [3, 1],
      [2, 0],
    ]);
    expect(plan.phases.map((phase) => phase.padding)).toEqual([
      { before: 1, after: 0 },
      { before: 0, after: 1 },
    ]);
  });
});
