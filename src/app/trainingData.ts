/** The page's training data: the JSB chorales (downloaded once, then cached) or files the user picks. */
import { loadJsbTrainingWindows } from '../data/jsbDownload';
import { readMidiOffThread } from '../data/midiReader';
import { midiFilesToTrainingWindows } from '../data/ownMidiFiles';
import { jsbToTrainingWindows, parseJsbJson } from '../music/jsb';
import type { TrainingDataSource } from '../ui/controller';

/**
 * The data source the controller uses. A picked .json file is read as the JSB chorales file, so a
 * user without a connection can give the data set by hand, as the download error suggests.
 */
export function browserTrainingData(): TrainingDataSource {
  return {
    jsb: (note) => loadJsbTrainingWindows({ onStatus: note }),
    async ownMidi(files, note) {
      const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
      if (json) {
        note(`Reading ${json.name}…`);
        return jsbToTrainingWindows(parseJsbJson(await json.text()).train);
      }
      note(`Reading ${files.length} MIDI file${files.length === 1 ? '' : 's'}…`);
      return midiFilesToTrainingWindows(files, {}, (bytes) => readMidiOffThread(bytes));
    },
  };
}
