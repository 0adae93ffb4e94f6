import { describe, expect, it } from 'vitest';
import {
  checkDraft,
  defaultDraft,
  draftToInput,
  formatDuration,
  learningRateFromSlider,
  LOG_SLIDER_STEPS,
  sliderFromLearningRate,
} from '../../src/ui/hyperForm';
import { DEFAULT_HYPERPARAMS } from '../../src/protocol/config';

describe('hyperparameter form', () => {
  it('accepts the defaults', () => {
    const checked = checkDraft(defaultDraft());
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.value.learningRate).toBe(DEFAULT_HYPERPARAMS.learningRate);
  });

  it('names each bad field with the validation message', () => {
    const checked = checkDraft({ ...defaultDraft(), epochs: '', learningRate: '0.5', updateRatio: '2.5', baseWidth: '12' });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.problems.epochs).toBe('must be a number');
      expect(checked.problems.learningRate).toBe('must be at most 0.1');
      expect(checked.problems.updateRatio).toBe('must be a whole number');
      expect(checked.problems.baseWidth).toMatch(/one of 4, 8, 16, 32, 64/);
      expect(checked.problems.seed).toBeUndefined();
    }
  });

  it('keeps a snapshot at the last epoch of a short run', () => {
    expect(draftToInput({ ...defaultDraft(), epochs: '1' }).snapshotEpochs).toEqual([1]);
    expect(draftToInput({ ...defaultDraft(), epochs: '7' }).snapshotEpochs).toEqual([1, 5, 7]);
  });

  it('maps the learning-rate slider logarithmically, both ways', () => {
    expect(learningRateFromSlider(0)).toBe(1e-5);
    expect(learningRateFromSlider(LOG_SLIDER_STEPS)).toBe(0.1);
    expect(learningRateFromSlider(LOG_SLIDER_STEPS / 2)).toBe(0.001);
    expect(sliderFromLearningRate(1e-3)).toBe(LOG_SLIDER_STEPS / 2);
    expect(sliderFromLearningRate(1)).toBe(LOG_SLIDER_STEPS);
  });

  it('formats durations for people', () => {
    expect(formatDuration(12.4)).toBe('12 s');
    expect(formatDuration(187)).toBe('3 min 07 s');
    expect(formatDuration(7500)).toBe('2 h 05 min');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});
