import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { movementConfigs } from '../../src/model/wasm/movement';
import { startWasmBackendInNode } from '../../src/model/wasm/node';

/** Runs `f` on wasm and on the cpu backend and returns both results' values. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ wasm: number[][]; cpu: number[][] }> {
  const read = async (): Promise<number[][]> => {
    const result = tf.tidy(f);
    const list = Array.isArray(result) ? result : [result];
    const values = await Promise.all(list.map(async (t) => Array.from(await t.data())));
    tf.dispose(list);
    return values;
  };
  const wasm = await read();
  await tf.setBackend('cpu');
  const cpu = await read();
  await tf.setBackend('wasm');
  return { wasm, cpu };
}

const ramp = (shape: number[]): tf.Tensor =>
  tf.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * 3),
    shape,
  );

describe('the wasm data-movement kernels', () => {
  beforeAll(async () => {
    await startWasmBackendInNode();
  });

  it('are the registered wasm kernels', () => {
    for (const config of movementConfigs) expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
  });

  it('Identity shares memory yet the copy outlives its source, without leaks', async () => {
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const source = ramp([2, 3, 4]);
    const copy = tf.clone(source);
    expect(copy.dataId).toBe(source.dataId);
    const expected = Array.from(await source.data());
    source.dispose();
    expect(Array.from(await copy.data())).toEqual(expected);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
  });

  it('SplitV equals the cpu backend on channel splits, other axes, inferred sizes and int32', async () => {
    const cases: { shape: number[]; sizes: number[] | number; axis: number; dtype?: 'int32' }[] = [
      { shape: [2, 32, 128, 5], sizes: [4, 1], axis: 3 },
      { shape: [2, 4, 16, 64], sizes: [32, 32], axis: -1 },
      { shape: [3, 600], sizes: [300, -1], axis: 1 },
      { shape: [6, 5], sizes: 3, axis: 0 },
      { shape: [4, 3, 2], sizes: [1, 0, 2], axis: 1, dtype: 'int32' },
    ];
    for (const { shape, sizes, axis, dtype } of cases) {
      const before = tf.memory().numTensors;
      const { wasm, cpu } = await onBoth(() => tf.split(dtype ? ramp(shape).toInt() : ramp(shape), sizes, axis));
      expect(wasm).toEqual(cpu);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('the upsampling gradient sums each block of the output gradient, for whole factors and (falling back) others', async () => {
    // Reference: output (i, j) reads input (floor(i * inH / outH), floor(j * inW / outW)) without corner
    // alignment, so the input's gradient is the sum over the outputs that read it. (The cpu backend is not a
    // reference here: for batches above one, tfjs 4.22's cpu kernel sums the first window's gradient.)
    const cases: { shape: [number, number, number, number]; size: [number, number] }[] = [
      { shape: [2, 4, 8, 3], size: [8, 16] },
      { shape: [2, 2, 3, 2], size: [6, 3] },
      { shape: [1, 4, 4, 1], size: [6, 6] },
    ];
    for (const { shape, size } of cases) {
      const [batch, inH, inW, channels] = shape;
      const upstream = Array.from({ length: batch * size[0] * size[1] * channels }, (_, i) => Math.sin(i * 0.37) * 3);
      const expected = new Array<number>(batch * inH * inW * channels).fill(0);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < size[0]; i++) {
          for (let j = 0; j < size[1]; j++) {
            const si = Math.min(inH - 1, Math.floor((i * inH) / size[0]));
            const sj = Math.min(inW - 1, Math.floor((j * inW) / size[1]));
            for (let c = 0; c < channels; c++) {
              expected[((b * inH + si) * inW + sj) * channels + c] += upstream[((b * size[0] + i) * size[1] + j) * channels + c];
            }
          }
        }
      }
      const before = tf.memory().numTensors;
      const gradient = tf.tidy(() => {
        const weights = tf.tensor4d(upstream, [batch, size[0], size[1], channels]);
        return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(input as tf.Tensor4D, size), weights)))(
          tf.zeros(shape),
        );
      });
      const values = Array.from(await gradient.data());
      gradient.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(values.length).toBe(expected.length);
      values.forEach((v, i) => expect(v, `${shape} to ${size}, value ${i}`).toBeCloseTo(expected[i], 4));
    }
  });
});

describe('the wasm Concat replacement', () => {
  beforeAll(async () => {
    await startWasmBackendInNode();
  });

  it('equals the cpu backend on the model channel concatenations, other axes and int32, without leaks', async () => {
    const cases: { shapes: number[][]; axis: number; dtype: 'float32' | 'int32' }[] = [
      {
        shapes: [
          [2, 32, 128, 4],
          [2, 32, 128, 1],
        ],
        axis: 3,
        dtype: 'float32',
      },
      {
        shapes: [
          [2, 4, 16, 32],
          [2, 4, 16, 32],
        ],
        axis: -1,
        dtype: 'float32',
      },
      {
        shapes: [
          [2, 2, 8, 64],
          [2, 2, 8, 64],
          [2, 2, 8, 3],
        ],
        axis: 3,
        dtype: 'float32',
      },
      {
        shapes: [
          [3, 5],
          [2, 5],
        ],
        axis: 0,
        dtype: 'float32',
      },
      {
        shapes: [
          [2, 300],
          [2, 400],
        ],
        axis: 1,
        dtype: 'float32',
      },
      {
        shapes: [
          [4, 3, 2],
          [4, 1, 2],
        ],
        axis: 1,
        dtype: 'int32',
      },
      {
        shapes: [
          [4, 0],
          [4, 3],
        ],
        axis: 1,
        dtype: 'float32',
      },
    ];
    expect(tf.getKernel('Concat', 'wasm')?.kernelFunc).toBe(movementConfigs.find((c) => c.kernelName === 'Concat')?.kernelFunc);
    for (const { shapes, axis, dtype } of cases) {
      const values = shapes.map((shape) =>
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (dtype === 'int32' ? i % 97 : Math.sin(i * 1.7 + shape[0]))),
      );
      const before = tf.memory().numTensors;
      const onWasm = tf.tidy(() =>
        tf.concat(
          values.map((v, k) => tf.tensor(v, shapes[k], dtype)),
          axis,
        ),
      );
      const wasmValues = Array.from(await onWasm.data());
      onWasm.dispose();
      expect(tf.memory().numTensors).toBe(before);
      await tf.setBackend('cpu');
      const onCpu = tf.tidy(() =>
        tf.concat(
          values.map((v, k) => tf.tensor(v, shapes[k], dtype)),
          axis,
        ),
      );
      expect(wasmValues).toEqual(Array.from(await onCpu.data()));
      onCpu.dispose();
      await tf.setBackend('wasm');
    }
  });

  it('passes gradients through (Concat in a taped function)', async () => {
    const a = tf.tensor4d(
      Array.from({ length: 2 * 3 * 4 * 2 }, (_, i) => i / 10),
      [2, 3, 4, 2],
    );
    const b = tf.tensor4d(
      Array.from({ length: 2 * 3 * 4 * 1 }, (_, i) => -i / 10),
      [2, 3, 4, 1],
    );
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.concat([x, y], 3))))([a, b]);
    expect(Array.from(await ga.data())).toEqual(Array.from(await tf.mul(a, 2).data()));
    expect(Array.from(await gb.data())).toEqual(Array.from(await tf.mul(b, 2).data()));
    tf.dispose([a, b, ga, gb]);
  });
});
