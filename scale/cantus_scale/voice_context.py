"""Voice context (src/model/voiceContext.ts) for training: the hidden masks each training window draws, the
generator's context planes, and what the critic judges, number for number with TF.js.

A generator with voice context reads 7 planes [32 steps x 128 pitches]: the melody (-1/+1); the alto, tenor and
bass it is given (+1 where the voice sounds the pitch, -1 where not, 0 at every pitch of a step it hides); one
hidden-mask plane per voice (1 where hidden). Its voice term asks only for the hidden cells, and the critic judges
the completed window: the real voices where given, the generator's where hidden.
"""
import numpy as np
import torch

from .networks import MODEL_TRACKS, PITCHES, WINDOW_STEPS
from .seeds import seed_stream, uniforms

ACCOMPANIMENT_TRACKS = MODEL_TRACKS - 1
#: Input planes of a generator with voice context: melody, three voices, three hidden masks.
CONTEXT_CHANNELS = 1 + 2 * ACCOMPANIMENT_TRACKS
#: Most draws one window's mask takes: its kind, a voice or a rate, one per cell, one more where nothing was hidden.
_DRAWS_PER_WINDOW = 3 + WINDOW_STEPS * ACCOMPANIMENT_TRACKS


def input_channels(voice_context):
    """generatorInputChannels of voiceContext.ts: 1 (the melody alone) or CONTEXT_CHANNELS."""
    return CONTEXT_CHANNELS if voice_context else 1


def training_masks(seed, count):
    """trainingMasks(createUniform(seed), count) of voiceContext.ts: uint8 [count, 32, 3], 1 = hidden. A quarter of
    the windows hide every voice, a quarter one whole voice, the rest each (step, voice) with a rate drawn per window."""
    draws = uniforms(seed, count * _DRAWS_PER_WINDOW)
    used = 0

    def draw():
        nonlocal used
        used += 1
        return draws[used - 1]

    size = WINDOW_STEPS * ACCOMPANIMENT_TRACKS
    masks = np.zeros((count, size), dtype=np.uint8)
    for w in range(count):
        mask = masks[w]
        kind = draw()
        if kind < 0.25:
            mask[:] = 1
        elif kind < 0.5:
            voice = min(ACCOMPANIMENT_TRACKS - 1, int(np.floor(draw() * ACCOMPANIMENT_TRACKS)))
            mask[voice::ACCOMPANIMENT_TRACKS] = 1
        else:
            rate = 0.05 + 0.9 * draw()
            for cell in range(size):
                mask[cell] = 1 if draw() < rate else 0
        if not mask.any():
            mask[min(size - 1, int(np.floor(draw() * size)))] = 1
    return masks.reshape(count, WINDOW_STEPS, ACCOMPANIMENT_TRACKS)


def step_masks(config, iteration, step, count):
    """The masks of a whole batch of `count` at (iteration, step), drawn as GanEngine.trainingHidden draws them."""
    return training_masks(seed_stream(config["seed"], "voiceMask", iteration, step), count)


def context_planes(real, hidden):
    """contextFromWindows of voiceContext.ts: windows [n, 32, 128, 4] of -1/+1 and their masks [n, 32, 3] (a
    float tensor) to the generator's input [n, 32, 128, 7]."""
    given = hidden.unsqueeze(2)  # [n, 32, 1, 3]
    voices = real[..., 1:] * (1 - given)
    return torch.cat([real[..., :1], voices, given.expand(-1, -1, PITCHES, -1)], dim=3)


def completed(real, fake, hidden):
    """What the critic judges (completed in gan.ts): `real` where a voice was given, `fake` where it was hidden;
    the melody (track 0) is never hidden."""
    mask = torch.cat([torch.zeros_like(hidden[..., :1]), hidden], dim=2).unsqueeze(2)  # [n, 32, 1, 4]
    return real + mask * (fake - real)
