import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GENERATION_OPTIONS,
  GenerationOptionsError,
  checkGenerationOptions,
  generationOptionHelp,
  generationOptionsSchema,
  keptGenerationOptions,
  resolveGenerationOptions,
  type GenerationOptionName,
} from '../../src/protocol/generation';

describe('generation options', () => {
  it('default to the chorale decoding of cross-faded windows with the hand-set weights', () => {
    expect(DEFAULT_GENERATION_OPTIONS).toEqual({
      decodeMode: 'auto',
      join: 'crossfade',
      decodeWeights: {},
      candidates: 'auto',
      samplingSteps: 'auto',
    });
    expect(resolveGenerationOptions({ decodeMode: 'single' })).toEqual({ ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'single' });
  });

  it('name every bad option at once, unknown ones included', () => {
    const checked = checkGenerationOptions({ decodeMode: 'jazz', join: 3, voicing: 'single' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.field).sort()).toEqual(['decodeMode', 'join', 'voicing']);
    expect(checked.problems.find((p) => p.field === 'decodeMode')?.message).toBe('must be one of auto, chorale, data, single, chords');
    expect(() => resolveGenerationOptions({ decodeWeights: { chordBonus: 'big' } } as never)).toThrow(GenerationOptionsError);
  });

  it('declare a help text and a value word for every option, for the command lines', () => {
    for (const name of Object.keys(generationOptionsSchema.shape) as GenerationOptionName[]) {
      const help = generationOptionHelp(name);
      expect(help.help.length, name).toBeGreaterThan(10);
      expect(help.value, name).toMatch(/^[A-Z]+$/);
    }
  });

  it('keep what is valid of options saved by another version and default the rest', () => {
    expect(keptGenerationOptions({ decodeMode: 'single', join: 'nope', gone: 1 })).toEqual({
      ...DEFAULT_GENERATION_OPTIONS,
      decodeMode: 'single',
    });
    expect(keptGenerationOptions(undefined)).toEqual(DEFAULT_GENERATION_OPTIONS);
    expect(keptGenerationOptions('chords')).toEqual(DEFAULT_GENERATION_OPTIONS);
  });
});
