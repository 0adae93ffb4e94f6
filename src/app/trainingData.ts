/** The page's training data: the JSB chorales (downloaded once, then cached) or files the user picks. */
import { loadJsbTrainingWindows } from '../data/jsbDownload';
import { readMidiOffThread } from '../data/midiReader';
import { midiFilesToTrainingWindows, readMidiFiles } from '../data/ownMidiFiles';
import { jsbToTrainingWindows, parseJsbJson } from '../music/jsb';
import { ownMidiToTrainingWindows } from '../music/ownMidi';
import type { TrainingDataSource } from '../ui/controller';

/** A picked .json file is read as the JSB chorales file, so a user without a connection can give the data set by hand, as the download error suggests. */
function isJsbJson(file: File): boolean {
  return file.name.toLowerCase().endsWith('.json');
}

/** The data source the controller uses; MIDI files are read off the page's thread (midiReader.ts). */
export function browserTrainingData(): TrainingDataSource {
  const parse = (bytes: Uint8Array) => readMidiOffThread(bytes);
  return {
    jsb: (note) => loadJsbTrainingWindows({ onStatus: note }),
    async readOwnMidi(file) {
      if (isJsbJson(file)) return null;
      const [parsed] = await readMidiFiles([file], parse);
      return parsed;
    },
    async ownMidi(files, note, choice) {
      const json = files.find(isJsbJson);
      if (json) {
        note(`Reading ${json.name}…`);
        return jsbToTrainingWindows(parseJsbJson(await json.text()).train);
      }
      const options = { roles: choice?.roles, names: choice?.names ?? files.map((f) => f.name) };
      const plural = files.length === 1 ? '' : 's';
      if (files.length > 0 && choice?.parsed?.length === files.length) {
        note(`Preparing ${files.length} MIDI file${plural}…`);
        return ownMidiToTrainingWindows(choice.parsed, options);
      }
      note(`Reading ${files.length} MIDI file${plural}…`);
      return midiFilesToTrainingWindows(files, options, parse);
    },
  };
}
