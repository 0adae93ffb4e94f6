/** Records a melody from the on-screen keyboard, the computer keyboard, or a Web MIDI keyboard. */
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { DEFAULT_VELOCITY } from '../music/constants';
import { usePage } from './context';
import { COMPUTER_KEYS, NoteRecorder, pitchForComputerKey } from '../music/recording';
import { pitchName } from '../music/spelling';

const BLACK = new Set([1, 3, 6, 8, 10]);
const KEY_COUNT = 25;

/** The minimal Web MIDI surface used here (lib.dom's types vary between TypeScript versions). */
interface MidiInputLike {
  name?: string | null;
  onmidimessage: ((event: { data: Uint8Array | null; timeStamp: number }) => void) | null;
}
interface MidiAccessLike {
  inputs: Map<string, MidiInputLike>;
}
type RequestMidi = () => Promise<MidiAccessLike>;

/** The keyboard and its record/stop button. */
export function KeyboardRecorder() {
  const { controller, player } = usePage();
  const recorderRef = useRef(new NoteRecorder());
  const [recording, setRecording] = useState(false);
  const [lowestC, setLowestC] = useState(60);
  const [tempo, setTempo] = useState(100);
  const [down, setDown] = useState<ReadonlySet<number>>(new Set());
  const [midiNote, setMidiNote] = useState('');
  const tempoId = useId();

  const press = useCallback(
    (pitch: number, velocity = DEFAULT_VELOCITY, at = performance.now()) => {
      recorderRef.current.noteOn(pitch, velocity, at);
      player.preview?.(pitch, true);
      setDown((d) => new Set(d).add(pitch));
    },
    [player],
  );
  const release = useCallback(
    (pitch: number, at = performance.now()) => {
      recorderRef.current.noteOff(pitch, at);
      player.preview?.(pitch, false);
      setDown((d) => {
        const next = new Set(d);
        next.delete(pitch);
        return next;
      });
    },
    [player],
  );

  const toggleRecording = () => {
    const recorder = recorderRef.current;
    if (!recorder.recording) {
      recorder.start(performance.now());
      setRecording(true);
      return;
    }
    setRecording(false);
    try {
      controller.setMelody(recorder.stop(performance.now(), { tempoBpm: tempo }), 'Recorded melody');
    } catch (error) {
      controller.report('melody', error);
    }
  };

  const midiNavigator = navigator as unknown as { requestMIDIAccess?: RequestMidi };
  const hasWebMidi = typeof midiNavigator.requestMIDIAccess === 'function';
  const connectMidi = async () => {
    try {
      if (!midiNavigator.requestMIDIAccess) throw new Error('this browser has no Web MIDI');
      const access = await midiNavigator.requestMIDIAccess();
      const inputs = [...access.inputs.values()];
      if (inputs.length === 0) {
        setMidiNote('No MIDI keyboard is connected. Plug one in and try again.');
        return;
      }
      for (const input of inputs) {
        input.onmidimessage = (event) => {
          const data = event.data;
          if (!data || data.length < 3) return;
          const kind = data[0] & 0xf0;
          if (kind === 0x90 && data[2] > 0) press(data[1], data[2], event.timeStamp);
          else if (kind === 0x80 || (kind === 0x90 && data[2] === 0)) release(data[1], event.timeStamp);
        };
      }
      setMidiNote(`Listening to ${inputs.map((i) => i.name || 'MIDI input').join(', ')}.`);
    } catch (error) {
      controller.report(
        'melody',
        new Error(`The browser did not give access to MIDI keyboards (${error instanceof Error ? error.message : String(error)}).`),
      );
    }
  };

  useEffect(
    () => () => {
      recorderRef.current = new NoteRecorder();
    },
    [],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.repeat || e.metaKey || e.ctrlKey || e.altKey) return;
    const pitch = pitchForComputerKey(e.key, lowestC);
    if (pitch === undefined) return;
    e.preventDefault();
    press(pitch);
  };
  const onKeyUp = (e: KeyboardEvent) => {
    const pitch = pitchForComputerKey(e.key, lowestC);
    if (pitch !== undefined) release(pitch);
  };

  return (
    <div className="keyboard-recorder">
      <div className="row">
        <button
          type="button"
          className={recording ? 'record recording' : 'record'}
          onClick={toggleRecording}
          aria-pressed={recording}
          data-testid="record-button"
        >
          {recording ? '■ Stop recording' : '● Record'}
        </button>
        <label htmlFor={tempoId}>Recording tempo</label>
        <input
          id={tempoId}
          type="number"
          min={40}
          max={240}
          value={tempo}
          onChange={(e) => setTempo(Number(e.target.value) || 100)}
          className="narrow"
        />
        <span className="hint">bpm</span>
        <button type="button" onClick={() => setLowestC((c) => Math.max(24, c - 12))} aria-label="Oct − (one octave down)">
          Oct −
        </button>
        <button type="button" onClick={() => setLowestC((c) => Math.min(96, c + 12))} aria-label="Oct + (one octave up)">
          Oct +
        </button>
        {hasWebMidi && (
          <button type="button" onClick={() => void connectMidi()}>
            Use MIDI keyboard
          </button>
        )}
      </div>
      {midiNote && <p className="hint">{midiNote}</p>}
      <div
        className="keyboard"
        tabIndex={0}
        role="group"
        aria-label={`On-screen keyboard from ${pitchName(lowestC)}; with focus here, keys A W S E D F T G Y H U J K play notes`}
        onKeyDown={onKeyDown}
        onKeyUp={onKeyUp}
      >
        {Array.from({ length: KEY_COUNT }, (_, i) => {
          const pitch = lowestC + i;
          const name = pitchName(pitch);
          return (
            <button
              key={pitch}
              type="button"
              tabIndex={-1}
              className={`key ${BLACK.has(pitch % 12) ? 'black' : 'white'} ${down.has(pitch) ? 'down' : ''}`}
              aria-label={name}
              onPointerDown={(e) => {
                e.currentTarget.setPointerCapture(e.pointerId);
                press(pitch);
              }}
              onPointerUp={() => release(pitch)}
              onPointerCancel={() => release(pitch)}
            />
          );
        })}
      </div>
      <p className="hint">
        {recording ? 'Recording… play your melody, then press Stop.' : 'Press Record, play, then Stop: notes snap to sixteenth notes.'}
      </p>
      <p className="hint key-map">
        Computer keys, with the keyboard focused:{' '}
        {COMPUTER_KEYS.map((key, i) => (
          <kbd key={key} title={pitchName(lowestC + i)}>
            {key.toUpperCase()}
          </kbd>
        ))}{' '}
        play {pitchName(lowestC)} upwards (A is C, W is C♯, S is D…).
      </p>
    </div>
  );
}
