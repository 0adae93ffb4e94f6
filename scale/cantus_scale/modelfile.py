"""Cantus model files (src/model/io.ts): model.json (format 'cantus-accompaniment-gan', the config, both
networks' topologies and weight specs, counters, and in a training state both Adam optimisers' moments) and
model.weights.bin (little-endian float32). Read into the PyTorch networks by weight name; written back with
the file's own topologies, so the page and `npm run accompany` load what is trained here."""
import json
import os
import shutil

import numpy as np
import torch

from .networks import Critic, Generator, named_tensors
from .voice_context import input_channels

MODEL_FORMAT = "cantus-accompaniment-gan"
MODEL_FORMAT_VERSION = 1
MODEL_JSON = "model.json"
WEIGHTS_BIN = "model.weights.bin"


class ModelFileError(Exception):
    """A model folder that cannot be read; the message says why."""


def read_model_dir(folder):
    """(manifest, float32 values) of the model in `folder`, checked as io.ts checks them."""
    json_path, bin_path = os.path.join(folder, MODEL_JSON), os.path.join(folder, WEIGHTS_BIN)
    if not (os.path.isfile(json_path) and os.path.isfile(bin_path)):
        raise ModelFileError(f"No model in {folder}: it needs {MODEL_JSON} and {WEIGHTS_BIN}.")
    try:
        with open(json_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except ValueError as error:
        raise ModelFileError(f"{json_path} is not valid JSON: it is damaged or not a Cantus model.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{json_path} is not a Cantus accompaniment model.")
    version = manifest.get("formatVersion")
    if not isinstance(version, int) or version < 1 or version > MODEL_FORMAT_VERSION:
        raise ModelFileError(f"{json_path} has file format {version!r}; this trainer reads version {MODEL_FORMAT_VERSION}.")
    values = np.fromfile(bin_path, dtype="<f4")
    if values.size != manifest.get("weightValues"):
        raise ModelFileError(
            f"{bin_path} holds {values.size} values but the model needs {manifest.get('weightValues')}: it is incomplete."
        )
    return manifest, values


def _tensor(spec, values, where):
    size = int(np.prod(spec["shape"], dtype=np.int64))
    offset = spec.get("offset")
    if not isinstance(offset, int) or offset < 0 or offset + size > values.size:
        raise ModelFileError(f"The weights of {where} lie outside the weights file: it is incomplete.")
    return torch.from_numpy(values[offset : offset + size].copy()).reshape(spec["shape"])


def load_network(model, stored, values, label):
    """Copies a stored network's tensors into `model` by name, checking names and shapes."""
    targets = named_tensors(model)
    specs = {spec["name"]: spec for spec in stored["weights"]}
    if set(specs) != set(targets):
        missing, extra = sorted(set(targets) - set(specs)), sorted(set(specs) - set(targets))
        raise ModelFileError(f"The {label} in this file does not fit this model size (missing {missing}, unexpected {extra}).")
    with torch.no_grad():
        for name, target in targets.items():
            if list(specs[name]["shape"]) != list(target.shape):
                raise ModelFileError(
                    f"The {label}'s {name} has shape {specs[name]['shape']}, this model size needs {list(target.shape)}."
                )
            target.copy_(_tensor(specs[name], values, f"the {label} ({name})"))


def trainable_names(stored):
    """The trainable tensors' names in the order TF.js's Adam keeps its moments (the network's trainable order)."""
    return [s["name"] for s in stored["weights"] if not s["name"].endswith(("/moving_mean", "/moving_variance"))]


def read_optimizer(stored_optimizer, stored_network, values, label):
    """{'iterations': n, 'm': {name: tensor}, 'v': {name: tensor}} of one stored Adam (empty before its first step)."""
    names = trainable_names(stored_network)
    specs = stored_optimizer.get("weights", [])
    iterations = stored_optimizer.get("iterations")
    if not isinstance(iterations, int) or iterations < 0 or len(specs) not in (0, 2 * len(names)):
        raise ModelFileError(f"The {label} optimiser state in this file is damaged.")
    moments = [_tensor(spec, values, f"the {label} optimiser") for spec in specs]
    m = dict(zip(names, moments[: len(names)]))
    v = dict(zip(names, moments[len(names) :]))
    return {"iterations": iterations, "m": m, "v": v, "names": [s["name"] for s in specs]}


class Writer:
    def __init__(self):
        self.chunks, self.size = [], 0

    def add(self, name, tensor):
        data = tensor.detach().to("cpu", torch.float32).contiguous().numpy().reshape(-1)
        spec = {"name": name, "shape": list(tensor.shape), "dtype": "float32", "offset": self.size}
        self.chunks.append(data)
        self.size += data.size
        return spec


def write_model_dir(folder, template, config, counters, generator, critic, optimizers=None):
    """Writes a model (or, with `optimizers`, a training state) to `folder` all at once, as modelDir.ts does:
    into a fresh sibling folder that then replaces `folder`. Topologies come from `template`'s manifest."""
    writer = Writer()
    networks = {}
    for key, model in (("generator", generator), ("critic", critic)):
        tensors = named_tensors(model)
        order = [spec["name"] for spec in template[key]["weights"]]
        networks[key] = {"topology": template[key]["topology"], "weights": [writer.add(n, tensors[n]) for n in order]}
    manifest = {
        "format": MODEL_FORMAT,
        "formatVersion": MODEL_FORMAT_VERSION,
        "config": config,
        "counters": counters,
        "generator": networks["generator"],
        "critic": networks["critic"],
    }
    if optimizers is not None:
        manifest["optimizers"] = {}
        for key in ("generator", "critic"):
            state = optimizers[key]
            names = trainable_names(template[key])
            specs = []
            if state["m"]:
                specs = [writer.add(f"{n}/m", state["m"][n]) for n in names] + [writer.add(f"{n}/v", state["v"][n]) for n in names]
            manifest["optimizers"][key] = {"iterations": state["iterations"], "weights": specs}
    manifest["weightValues"] = writer.size
    staging, previous = f"{folder}.writing", f"{folder}.previous"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    values = np.concatenate(writer.chunks).astype("<f4") if writer.chunks else np.zeros(0, "<f4")
    values.tofile(os.path.join(staging, WEIGHTS_BIN))
    with open(os.path.join(staging, MODEL_JSON), "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    shutil.rmtree(previous, ignore_errors=True)
    if os.path.exists(folder):
        os.rename(folder, previous)
    os.rename(staging, folder)
    shutil.rmtree(previous, ignore_errors=True)


def networks_from(manifest, values):
    """Fresh Generator and Critic of the file's width holding its weights."""
    config = manifest["config"] if isinstance(manifest.get("config"), dict) else {}
    voice_context = config.get("voiceContext", False)
    if not isinstance(voice_context, bool):
        raise ModelFileError(f"The settings saved in this model are not valid: voiceContext must be true or false, got {voice_context!r}.")
    width = config.get("baseWidth")
    generator, critic = Generator(width, input_channels(voice_context)), Critic(width)
    load_network(generator, manifest["generator"], values, "generator")
    load_network(critic, manifest["critic"], values, "critic")
    return generator, critic
