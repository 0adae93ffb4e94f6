"""Cantus's seeded draws (src/music/random.ts) and batch order (src/model/sampler.ts), number for number, so
a run here draws the same batches, noise and penalty mixing as `npm run train` and the page at the same
iteration, and a run moved between them continues as it would have."""
import math

import numpy as np

MASK = 0xFFFFFFFF
SEED_STREAMS = {
    "generatorWeights": 1,
    "criticWeights": 2,
    "batchOrder": 0x5A4D,
    "trainingNoise": 0x6E01,
    "penaltyMix": 0x3E1,
    "accompanimentNoise": 0xBA5,
    "voiceMask": 0x3A5C,
}


def _imul(a, b):
    return (a * b) & MASK


def mix_seed(*parts):
    """mixSeed of random.ts: a murmur3-style finaliser per part, in unsigned 32-bit arithmetic."""
    h = 0x9E3779B9
    for part in parts:
        k = math.trunc(part) & MASK
        k = _imul(k ^ (k >> 16), 0x85EBCA6B)
        k = _imul(k ^ (k >> 13), 0xC2B2AE35)
        k ^= k >> 16
        h = (_imul(h ^ k, 0x01000193) + 0x6D2B79F5) & MASK
        h ^= h >> 15
    return h


def seed_stream(seed, stream, *position):
    return mix_seed(seed, SEED_STREAMS[stream], *position)


def uniforms(seed, count, start=0):
    """Draws start .. start+count-1 of createUniform(seed) (mulberry32), as float64 in [0, 1). Draw k's
    state is seed + (k + 1) * 0x6d2b79f5, so any stretch of draws is computed at once."""
    k = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    t = (np.uint64(seed) + k * np.uint64(0x6D2B79F5)) & np.uint64(MASK)
    m = np.uint64(MASK)
    t = ((t ^ (t >> np.uint64(15))) * (t | np.uint64(1))) & m
    t = (t ^ ((t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & m)) & m)) & m
    return ((t ^ (t >> np.uint64(14))) & m).astype(np.float64) / 4294967296.0


def truncated_normal(seed, count):
    """truncatedNormal(createUniform(seed), count) of random.ts: Box-Muller pairs, values beyond 2 redrawn."""
    out = np.empty(0, dtype=np.float32)
    pairs, used = max(16, int(count * 0.53) + 16), 0
    while out.size < count:
        u = uniforms(seed, 2 * pairs, 2 * used)
        u1, u2 = 1 - u[0::2], u[1::2]
        radius = np.sqrt(-2 * np.log(u1))
        both = np.stack([radius * np.cos(2 * np.pi * u2), radius * np.sin(2 * np.pi * u2)], axis=1).reshape(-1)
        out = np.concatenate([out, both[np.abs(both) <= 2].astype(np.float32)])
        used += pairs
    return out[:count]


def shuffled_indices(count, seed):
    """shuffledIndices(count, createUniform(seed)) of random.ts: a seeded Fisher-Yates permutation."""
    order = list(range(count))
    draws = uniforms(seed, max(count - 1, 0))
    for n, i in enumerate(range(count - 1, 0, -1)):
        j = math.floor(draws[n] * (i + 1))
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


class BatchSampler:
    """BatchSampler of sampler.ts: an endless stream of shuffled passes over the windows, cut into batches."""

    def __init__(self, window_count, batch_size, seed):
        self.window_count = window_count
        self.batch_size = batch_size
        self.seed = seed
        self._pass = -1
        self._order = None

    def indices_of(self, batch_index):
        indices = np.empty(self.batch_size, dtype=np.int64)
        for i in range(self.batch_size):
            position = batch_index * self.batch_size + i
            pass_number = position // self.window_count
            if pass_number != self._pass:
                self._order = shuffled_indices(self.window_count, seed_stream(self.seed, "batchOrder", pass_number))
                self._pass = pass_number
            indices[i] = self._order[position - pass_number * self.window_count]
        return indices
