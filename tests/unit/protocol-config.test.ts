import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_HYPERPARAMS, checkHyperParams, resolveHyperParams } from '../../src/protocol/config';

describe('hyperparameters', () => {
  it('fills defaults from a partial config', () => {
    const config = resolveHyperParams({ epochs: 3 });
    expect(config.epochs).toBe(3);
    expect(config.learningRate).toBe(DEFAULT_HYPERPARAMS.learningRate);
    expect(config.updateRatio).toBe(5);
  });

  it('names every bad field at once', () => {
    const checked = checkHyperParams({ epochs: -1, learningRate: 0, updateRatio: 0 });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.field).sort()).toEqual(['epochs', 'learningRate', 'updateRatio']);
    expect(() => resolveHyperParams({ epochs: -1, learningRate: 0, updateRatio: 0 })).toThrow(ConfigError);
    expect(() => resolveHyperParams({ epochs: -1, learningRate: 0, updateRatio: 0 })).toThrow(/epochs.*learningRate.*updateRatio/);
  });

  it('refuses wrong types and widths', () => {
    const checked = checkHyperParams({ epochs: 'ten', baseWidth: 7, batchSize: 2.5 });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.field).sort()).toEqual(['baseWidth', 'batchSize', 'epochs']);
  });
});
