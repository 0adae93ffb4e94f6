/**
 * The pure half of `npm run bench -- --profile` (scripts/bench/kernelFamilies.ts): which family a kernel belongs to,
 * the FLOPs its shapes stand for, the bytes a copy moves, and the per-family summary with its tape row.
 */
import { describe, expect, it } from 'vitest';

import {
  convolutionFlops,
  copyBytes,
  KERNEL_FAMILIES,
  kernelFamily,
  kernelFlops,
  profileTableLines,
  summarizeProfile,
  type KernelRecord,
} from '../../scripts/bench/kernelFamilies';

const record = (name: string, inputShapes: KernelRecord['inputShapes'], outputShapes: number[][], kernelTimeMs = 1): KernelRecord => ({
  name,
  inputShapes,
  outputShapes,
  kernelTimeMs,
});

describe('kernel families', () => {
  it('puts each kernel the training step runs in its family', () => {
    expect(kernelFamily('Conv2D')).toBe('forward_convolution');
    expect(kernelFamily('FusedConv2D')).toBe('forward_convolution');
    // Cantus's own wasm gradient kernels register under these names (src/model/wasm/kernels.ts).
    expect(kernelFamily('Conv2DBackpropInput')).toBe('input_gradient_convolution');
    expect(kernelFamily('Conv2DBackpropFilter')).toBe('filter_gradient_convolution');
    expect(kernelFamily('FusedBatchNorm')).toBe('batch_norm');
    for (const name of ['Add', 'Multiply', 'Sub', 'LeakyRelu', 'CantusLeakyReluBackprop', 'Tanh', 'Rsqrt', 'Step']) {
      expect(kernelFamily(name), name).toBe('element_wise');
    }
    for (const name of ['Sum', 'Mean', 'Max', 'ResizeNearestNeighborGrad']) expect(kernelFamily(name), name).toBe('reduction');
    for (const name of [
      'Transpose',
      'Reshape',
      'Concat',
      'Slice',
      'PadV2',
      'Tile',
      'Cast',
      'Identity',
      'SplitV',
      'ResizeNearestNeighbor',
    ]) {
      expect(kernelFamily(name), name).toBe('copy_transpose');
    }
    expect(kernelFamily('BatchMatMul')).toBe('other');
    expect(kernelFamily('SomethingNew')).toBe('other');
  });
});

describe('FLOPs from shapes', () => {
  // The generator's d2_conv at width 16, batch 16: [16,16,64,16] -> [16,8,32,32], a 4x4 kernel.
  const forwardFlops = 2 * 16 * 8 * 32 * 4 * 4 * 16 * 32;

  it('counts 2 x outH x outW x kH x kW x inC x outC per sample for a forward convolution', () => {
    expect(forwardFlops).toBe(67_108_864);
    expect(convolutionFlops(record('FusedConv2D', [[16, 16, 64, 16], [4, 4, 16, 32], [32], null], [[16, 8, 32, 32]]))).toBe(forwardFlops);
    expect(
      convolutionFlops(
        record(
          'Conv2D',
          [
            [1, 32, 128, 5],
            [4, 4, 5, 16],
          ],
          [[1, 16, 64, 16]],
        ),
      ),
    ).toBe(2 * 16 * 64 * 16 * 5 * 16);
  });

  it('counts each gradient convolution as its forward convolution', () => {
    // Conv2DBackpropInput: (dy, filter) -> dx; Conv2DBackpropFilter: (x, dy) -> the filter's gradient.
    expect(
      convolutionFlops(
        record(
          'Conv2DBackpropInput',
          [
            [16, 8, 32, 32],
            [4, 4, 16, 32],
          ],
          [[16, 16, 64, 16]],
        ),
      ),
    ).toBe(forwardFlops);
    expect(
      convolutionFlops(
        record(
          'Conv2DBackpropFilter',
          [
            [16, 16, 64, 16],
            [16, 8, 32, 32],
          ],
          [[4, 4, 16, 32]],
        ),
      ),
    ).toBe(forwardFlops);
  });

  it('refuses a convolution whose shapes do not fit together', () => {
    expect(() =>
      convolutionFlops(
        record(
          'Conv2D',
          [
            [16, 16, 64, 16],
            [4, 4, 16, 32],
          ],
          [[16, 8, 32, 64]],
        ),
      ),
    ).toThrow(/output channels/);
    expect(() => convolutionFlops(record('Add', [[2], [2]], [[2]]))).toThrow(/not a convolution/);
  });

  it('counts element-wise kernels per output element, reductions per input element, copies as none', () => {
    expect(
      kernelFlops(
        record(
          'Add',
          [
            [16, 8, 32, 32],
            [1, 1, 1, 32],
          ],
          [[16, 8, 32, 32]],
        ),
      ),
    ).toBe(131_072);
    expect(kernelFlops(record('Sum', [[16, 2, 8, 128]], [[128]]))).toBe(32_768);
    expect(kernelFlops(record('FusedBatchNorm', [[16, 4, 16, 64], [64], [64], [64], [64]], [[16, 4, 16, 64]]))).toBe(2 * 65_536);
    expect(kernelFlops(record('Transpose', [[16, 32, 128, 3]], [[16, 32, 3, 128]]))).toBe(0);
    // The critic's dense layer: [1,16,2048] x [1,2048,1] -> [1,16,1], whatever the transpose flags were.
    expect(kernelFlops(record('_FusedMatMul', [[1, 16, 2048], [1, 2048, 1], [1], null], [[1, 16, 1]]))).toBe(2 * 16 * 2048);
    expect(
      kernelFlops(
        record(
          'BatchMatMul',
          [
            [1, 16, 1],
            [1, 2048, 1],
          ],
          [[1, 16, 2048]],
        ),
      ),
    ).toBe(2 * 16 * 2048);
  });

  it('counts the bytes a copy moves, none for a view', () => {
    expect(copyBytes(record('Transpose', [[16, 32, 128, 3]], [[16, 32, 3, 128]]))).toBe(2 * 4 * 16 * 32 * 128 * 3);
    expect(copyBytes(record('Reshape', [[16, 8, 32, 32]], [[16, 8, 32, 32]]))).toBe(0);
    expect(copyBytes(record('Add', [[4], [4]], [[4]]))).toBe(0);
  });
});

describe('the per-family summary', () => {
  it('adds up each family per iteration, with the unaccounted wall time as the tape row and rates against the reference', () => {
    const conv = record('FusedConv2D', [[16, 16, 64, 16], [4, 4, 16, 32], [32], null], [[16, 8, 32, 32]], 20);
    const filter = record(
      'Conv2DBackpropFilter',
      [
        [16, 16, 64, 16],
        [16, 8, 32, 32],
      ],
      [[4, 4, 16, 32]],
      30,
    );
    const mean = record('Mean', [[16, 8, 32, 32]], [[32]], 2);
    const transpose = record('Transpose', [[16, 32, 128, 3]], [[16, 32, 3, 128]], 4);
    // Two iterations of the same four kernels, 100 ms of wall time each; the second Mean ran inside a batch-norm layer.
    const records = [conv, filter, mean, transpose, conv, filter, mean, transpose];
    const rows = summarizeProfile(records, {
      iterations: 2,
      wallMs: 200,
      referenceGflops: 10,
      familyOf: (index) => (index === 6 ? 'batch_norm' : undefined),
    });
    expect(rows.map((r) => r.family)).toEqual([...KERNEL_FAMILIES, 'tape_and_javascript']);
    const row = (family: string) => rows.find((r) => r.family === family)!;
    expect(row('forward_convolution')).toMatchObject({ ms: 20, share: 0.2, flops: 67_108_864, kernels: 1 });
    // 67.1 MFLOP in 20 ms: 3.355 GFLOP/s, 0.3355 of the reference's 10.
    expect(row('forward_convolution').gflops).toBeCloseTo(3.3554432, 6);
    expect(row('forward_convolution').ratio_to_reference).toBeCloseTo(0.33554432, 6);
    expect(row('filter_gradient_convolution')).toMatchObject({ ms: 30, flops: 67_108_864 });
    expect(row('reduction')).toMatchObject({ ms: 1, kernels: 0.5, flops: 131_072 / 2 });
    expect(row('batch_norm')).toMatchObject({ ms: 1, kernels: 0.5 });
    expect(row('copy_transpose')).toMatchObject({ ms: 4, flops: 0, gflops: null, ratio_to_reference: null, bytes_moved: 2 * 4 * 196_608 });
    // 100 ms per iteration, 56 of them in kernels.
    expect(row('tape_and_javascript')).toMatchObject({ ms: 44, share: 0.44, kernels: 0, gflops: null });
    expect(rows.reduce((sum, r) => sum + r.share, 0)).toBeCloseTo(1, 12);
    const lines = profileTableLines(rows);
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines[1]).toMatch(/^forward convolutions\s+20\.0\s+20\.0%\s+0\.067\s+3\.36\s+0\.336/);
  });
});
