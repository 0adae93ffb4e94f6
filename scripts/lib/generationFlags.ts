/**
 * The command-line flags of the generation options, derived from their schema (src/protocol/generation.ts):
 * option `decodeMode` is `--decode-mode VALUE`, with the help and default declared there, so a new option is a
 * new flag of `npm run accompany` and `npm run evaluate` without touching either. A value is read as JSON where
 * it parses as JSON (numbers, objects) and as text otherwise.
 */
import { checkedOptions } from '../../src/model/generate/pipeline';
import {
  DEFAULT_GENERATION_OPTIONS,
  GenerationOptionsError,
  generationOptionHelp,
  generationOptionsSchema,
  type GenerationOptionName,
  type GenerationOptions,
} from '../../src/protocol/generation';

const NAMES = Object.keys(generationOptionsSchema.shape) as GenerationOptionName[];

/** A flag the options cannot take; the message names the flag and what it takes. */
export class GenerationFlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerationFlagError';
  }
}

/** The flag of an option: its name in kebab case. */
export function flagOf(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The options' flags as node:util's parseArgs declares them. */
export const GENERATION_FLAGS: Record<string, { type: 'string' }> = Object.fromEntries(
  NAMES.map((name) => [flagOf(name), { type: 'string' }]),
);

/** The usage lines of the options' flags, their help starting at `column` (on a line of its own after a long flag). */
export function generationUsage(column: number): string {
  return NAMES.map((name) => {
    const { help, value } = generationOptionHelp(name);
    const fallback = DEFAULT_GENERATION_OPTIONS[name];
    const flag = `  --${flagOf(name)} ${value}`;
    const text = `${help} (default ${typeof fallback === 'string' ? fallback : JSON.stringify(fallback)})`;
    return flag.length < column - 1 ? `${flag.padEnd(column - 1)} ${text}` : `${flag}\n${' '.repeat(column)}${text}`;
  }).join('\n');
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The options the flags among `values` (parseArgs' values) ask for, defaults for the rest; throws GenerationFlagError. */
export function generationOptionsFromFlags(values: Record<string, unknown>): GenerationOptions {
  const input: Record<string, unknown> = {};
  for (const name of NAMES) {
    const text = values[flagOf(name)];
    if (typeof text === 'string') input[name] = parseValue(text);
  }
  try {
    return checkedOptions(input);
  } catch (error) {
    if (!(error instanceof GenerationOptionsError)) throw error;
    const lines = error.problems.map((problem) => {
      const flag = flagOf(problem.field.split('.')[0]);
      return `--${flag} ${problem.message}, got ${String(values[flag])}`;
    });
    throw new GenerationFlagError(lines.join('\n'));
  }
}

/** The options that differ from the defaults, for a line of output (empty when all are defaults). */
export function describeOptions(options: GenerationOptions): string {
  return NAMES.filter((name) => JSON.stringify(options[name]) !== JSON.stringify(DEFAULT_GENERATION_OPTIONS[name]))
    .map((name) => `--${flagOf(name)} ${typeof options[name] === 'string' ? options[name] : JSON.stringify(options[name])}`)
    .join(' ');
}
