/**
 * The JSB chorales for training: downloaded from their public address on first use, kept in the
 * browser's storage, read from there afterwards. Offline or failed downloads become a
 * `DatasetUnavailableError` whose message offers the other route: picking the file by hand.
 */
import { MusicInputError } from '../music/errors';
import { jsbToTrainingWindows, parseJsbJson, type JsbDataset, type JsbWindowOptions } from '../music/jsb';
import type { TrainingWindows } from '../music/pianoRoll';
import { defaultDatasetStore, type TextStore } from './datasetStore';

/** Public address of the JSB chorales in the "separated" 16th-note format. */
export const JSB_DATASET_URL = 'https://raw.githubusercontent.com/czhuang/JSB-Chorales-dataset/master/Jsb16thSeparated.json';
/** Where a person can fetch the file by hand. */
export const JSB_DATASET_PAGE = 'https://github.com/czhuang/JSB-Chorales-dataset';

/** Why the data set could not be had. */
export type DatasetUnavailableReason = 'offline' | 'http' | 'bad-file';

/** The training data could not be downloaded; the message tells the user how to give it by hand. */
export class DatasetUnavailableError extends MusicInputError {
  readonly reason: DatasetUnavailableReason;
  constructor(reason: DatasetUnavailableReason, detail: string, options?: { cause?: unknown }) {
    super(
      'dataset-unavailable',
      `The Bach chorales could not be downloaded (${detail}). Check your internet connection and try again, ` +
        `or download Jsb16thSeparated.json yourself from ${JSB_DATASET_PAGE} and upload it here as your training data file.`,
      options,
    );
    this.name = 'DatasetUnavailableError';
    this.reason = reason;
  }
}

/** Options for `loadJsbDataset`. */
export interface LoadJsbOptions {
  /** The fetch to use (default the global one); tests pass a fake. */
  fetch?: typeof fetch;
  /** Where the download is kept (default `defaultDatasetStore()`). */
  store?: TextStore;
  /** Address to download from (default JSB_DATASET_URL). */
  url?: string;
  signal?: AbortSignal;
  /** Told what is happening, in words for the page ("Downloading ..."). */
  onStatus?: (text: string) => void;
}

/**
 * The JSB chorales: from the store when a valid copy is there, else downloaded and stored. Throws
 * `DatasetUnavailableError` when the download fails or is not the expected file.
 */
export async function loadJsbDataset(options: LoadJsbOptions = {}): Promise<JsbDataset> {
  const url = options.url ?? JSB_DATASET_URL;
  const store = options.store ?? defaultDatasetStore();
  const status = options.onStatus ?? (() => undefined);

  const cached = await store.get(url).catch(() => undefined);
  if (cached !== undefined) {
    try {
      const dataset = parseJsbJson(cached);
      status('Using the Bach chorales saved in this browser.');
      return dataset;
    } catch {
      // A damaged copy (for example a write cut short) is dropped and downloaded again.
      await store.delete(url).catch(() => undefined);
    }
  }

  status('Downloading the Bach chorales (about 1.5 MB)...');
  const fetchFn = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchFn(url, { signal: options.signal });
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    throw new DatasetUnavailableError('offline', 'no connection to the server', { cause });
  }
  if (!response.ok)
    throw new DatasetUnavailableError(
      'http',
      `the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  let text: string;
  let dataset: JsbDataset;
  try {
    text = await response.text();
    dataset = parseJsbJson(text);
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    throw new DatasetUnavailableError('bad-file', 'the download was incomplete or not the chorales file', { cause });
  }
  try {
    await store.put(url, text);
  } catch {
    // Storage full or blocked: the data is still good for this visit, it will just be downloaded again.
    status('The chorales could not be saved in this browser; they will be downloaded again next time.');
  }
  return dataset;
}

/**
 * Training windows from the JSB train split, loading the data set as `loadJsbDataset` does
 * (default windows: one every bar, see `jsbToTrainingWindows`).
 */
export async function loadJsbTrainingWindows(options: LoadJsbOptions & JsbWindowOptions = {}): Promise<TrainingWindows> {
  const dataset = await loadJsbDataset(options);
  options.onStatus?.('Cutting the chorales into 2-bar windows...');
  return jsbToTrainingWindows(dataset.train, options);
}
