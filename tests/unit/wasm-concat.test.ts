import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { concatConfig } from '../../src/model/wasm/concat';
import { startWasmBackendInNode } from '../../src/model/wasm/node';

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
    expect(tf.getKernel('Concat', 'wasm')?.kernelFunc).toBe(concatConfig.kernelFunc);
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
