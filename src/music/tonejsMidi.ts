/**
 * @tonejs/midi's `Midi` class, however the module is loaded: Node (the command-line scripts) loads its CommonJS
 * bundle, whose named exports it cannot see, so `Midi` is on the default export there; bundlers and Vitest
 * expose it by name. Take it from either.
 */
import * as tonejsMidi from '@tonejs/midi';

export const { Midi } = (tonejsMidi as typeof tonejsMidi & { default?: typeof tonejsMidi }).default ?? tonejsMidi;
