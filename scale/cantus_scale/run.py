"""A training run folder, shared with `npm run train`: run.json (what it trains on), windows.bin and
windows.json (the training windows `npm run scale -- prepare` wrote), checkpoint/ (a training state),
model/ (the finished model) and log.jsonl (one line per iteration)."""
import json
import math
import os

import numpy as np

from .modelfile import ModelFileError, read_model_dir, read_optimizer
from .networks import MODEL_TRACKS, PITCHES, WINDOW_STEPS


class RunError(Exception):
    """A run folder or option this trainer cannot follow; the message says what to do."""


def read_windows(run_dir):
    """The run's training windows as int8 [count, 32, 128, 4] (-1/+1, melody first)."""
    meta_path, data_path = os.path.join(run_dir, "windows.json"), os.path.join(run_dir, "windows.bin")
    if not (os.path.isfile(meta_path) and os.path.isfile(data_path)):
        raise RunError(f"No training windows in {run_dir}: write them with `npm run scale -- prepare --out {run_dir}`.")
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("steps") != WINDOW_STEPS or meta.get("tracks") != MODEL_TRACKS or not isinstance(meta.get("count"), int):
        raise RunError(f"{meta_path} does not describe {WINDOW_STEPS}-step, {MODEL_TRACKS}-voice training windows.")
    data = np.fromfile(data_path, dtype=np.int8)
    if data.size != meta["count"] * WINDOW_STEPS * PITCHES * MODEL_TRACKS or meta["count"] < 1:
        raise RunError(f"{data_path} holds {data.size} values, not the {meta['count']} windows {meta_path} lists: it is damaged.")
    return data.reshape(meta["count"], WINDOW_STEPS, PITCHES, MODEL_TRACKS)


def read_checkpoint(run_dir):
    """(manifest, values, Adam states) of the run's checkpoint; a finished model (no optimiser state) is
    accepted too, and its Adams start afresh."""
    folder = os.path.join(run_dir, "checkpoint")
    try:
        manifest, values = read_model_dir(folder)
    except ModelFileError as error:
        raise RunError(f"{error} Write a first checkpoint with `npm run scale -- prepare --out {run_dir}`.") from error
    states = {}
    if "optimizers" in manifest:
        for key in ("generator", "critic"):
            states[key] = read_optimizer(manifest["optimizers"][key], manifest[key], values, key)
    return manifest, values, states


def iterations_per_epoch(window_count, config):
    """iterationsPerEpoch of driver.ts: one pass of the critic over the windows."""
    return max(1, math.ceil(window_count / (config["batchSize"] * config["updateRatio"])))


def check_config(config):
    """The fields this trainer uses, checked with the ranges of src/protocol/config.ts."""
    rules = {
        "epochs": (int, 1, 100_000),
        "updateRatio": (int, 1, 20),
        "batchSize": (int, 1, 256),
        "seed": (int, 0, 2**31 - 1),
        "learningRate": (float, 0, 0.1),
        "voiceLossWeight": (float, 0, 1000),
        "gradientPenaltyWeight": (float, 0, 1000),
        "beta1": (float, 0, 1),
        "beta2": (float, 0, 1),
    }
    problems = []
    for field, (kind, low, high) in rules.items():
        value = config.get(field)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high
        if kind is int and ok:
            ok = float(value).is_integer()
        if not ok:
            problems.append(f"{field} must be {'a whole number' if kind is int else 'a number'} from {low} to {high}, got {value!r}")
    if not isinstance(config.get("voiceContext", False), bool):
        problems.append(f"voiceContext must be true or false, got {config.get('voiceContext')!r}")
    if problems:
        raise RunError("Invalid settings in the checkpoint: " + "; ".join(problems))
    return config
