/**
 * The MIDI reading worker: parses one file off the page's thread and answers once. The page gives it a
 * time budget and terminates it on overrun (see midiReader.ts), so no file can freeze the page.
 */
import { MidiInputError } from '../music/errors';
import { parseMidi } from '../music/midiIn';
import type { MidiParseReply, MidiParseRequest } from './midiReader';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<MidiParseRequest>) => void) | null;
  postMessage(reply: MidiParseReply): void;
};

scope.onmessage = (event) => {
  scope.postMessage({ started: true });
  let reply: MidiParseReply;
  try {
    reply = { ok: true, parsed: parseMidi(new Uint8Array(event.data.bytes)) };
  } catch (error) {
    reply =
      error instanceof MidiInputError
        ? { ok: false, code: error.code, message: error.message }
        : {
            ok: false,
            code: 'damaged',
            message: `This MIDI file could not be read (${String(error)}). Open it in a music program and save it again as MIDI.`,
          };
  }
  scope.postMessage(reply);
};
