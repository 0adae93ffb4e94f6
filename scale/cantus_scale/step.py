"""The WGAN-GP iteration of src/model/engine.ts (GanEngine.trainIteration) in PyTorch, data-parallel.

An iteration is `updateRatio` critic steps, one per batch, then one generator step on the melodies of the
last batch. Critic loss: mean(C(fake)) - mean(C(real)) + lambda * GP; generator loss: -mean(C(fake)) +
voiceLossWeight * voice term. Noise and penalty mixing are drawn from (seed, iteration, step) as in
TF.js. Each process takes its share of every batch (the same split as TF.js's replicas); its losses are
weighted by its share, so DistributedDataParallel's mean of the processes' gradients, times the number of
processes, is the gradient of the whole batch's loss. The generator's batch norms use the whole batch's
statistics (networks.BatchNorm with sync), so several processes compute what one does with the whole batch.
"""
import torch
import torch.distributed as dist
from torch import nn

from .networks import MODEL_TRACKS, PITCHES, WINDOW_STEPS, named_tensors, noise_shape
from .seeds import seed_stream, truncated_normal, uniforms
from .voice_context import completed, context_planes, step_masks

#: Scale from the generator's tanh output to pitch logits (VOICE_LOGIT_SCALE in networks.ts).
VOICE_LOGIT_SCALE = 5
#: Under the square root of the gradient norm (NORM_EPSILON in wgan.ts).
NORM_EPSILON = 1e-8


def voice_pitch_loss(fake, real, batch_cells, hidden=None):
    """voicePitchLoss of losses.ts: cross-entropy of each accompaniment voice's pitch scores against the real
    voice's pitch, summed over this share and divided by the whole batch's sounding (window, step, voice) cells;
    with voice context (`hidden` [n, 32, 3], 1 = hidden) only the hidden cells count."""
    logits = fake[..., 1:].permute(0, 1, 3, 2) * VOICE_LOGIT_SCALE
    sounding = ((real[..., 1:] + 1) / 2).permute(0, 1, 3, 2)
    if hidden is not None:
        sounding = sounding * hidden.unsqueeze(-1)
    count = sounding.sum(-1, keepdim=True)
    target = sounding / count.clamp_min(1)
    cross_entropy = -(target * torch.log_softmax(logits, -1)).sum(-1)
    return cross_entropy.sum() / max(batch_cells, 1)


def sounding_voice_cells(batch, hidden=None):
    """soundingVoiceCells of losses.ts: (window, step, voice) cells of tracks 1..3 where the voice sounds (and, given
    the masks [n, 32, 3] of voice context, is hidden)."""
    sounding = (batch[..., 1:] > 0).any(dim=2)
    if hidden is not None:
        sounding = sounding & (hidden.to(sounding.device) > 0)
    return int(sounding.sum())


class CriticObjective(nn.Module):
    """One critic step's loss as a module, so DistributedDataParallel can wrap it: the scores of real and
    fake windows, and the gradient penalty (a gradient inside the forward pass, taken with create_graph)."""

    def __init__(self, critic):
        super().__init__()
        self.critic = critic

    def forward(self, real, fake, condition, mix, share, penalty_weight):
        count = real.shape[0]
        scores = self.critic(torch.cat([real, fake]), torch.cat([condition, condition]))
        wasserstein = (scores[:count].mean() - scores[count:].mean()) * share
        mixed = (mix * real + (1 - mix) * fake).detach().requires_grad_(True)
        (gradient,) = torch.autograd.grad(self.critic(mixed, condition).sum(), mixed, create_graph=True)
        norm = torch.sqrt(gradient.square().sum(dim=(1, 2, 3)) + NORM_EPSILON)
        penalty = (norm - 1).square().mean() * share
        return -wasserstein + penalty_weight * penalty, wasserstein, penalty


class GeneratorObjective(nn.Module):
    """One generator step's loss as a module; the critic is used, not trained, so it is kept out of the
    module's parameters."""

    def __init__(self, generator, critic):
        super().__init__()
        self.generator = generator
        self._critic = (critic,)

    def forward(self, generator_input, noise, real, share, voice_weight, batch_cells, hidden=None):
        output = self.generator(generator_input, noise)
        fake = output if hidden is None else completed(real, output, hidden)
        adversarial = -self._critic[0](fake, real[..., :1]).mean() * share
        if voice_weight == 0:
            return adversarial, torch.zeros((), device=adversarial.device)
        voice = voice_pitch_loss(output, real, batch_cells, hidden)
        return adversarial + voice_weight * voice, voice


def world():
    """(this process's index, number of processes)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class Trainer:
    """Both networks, both Adams and the iteration; the same on every process of a torchrun job."""

    def __init__(self, generator, critic, config, iteration=0, device="cpu"):
        self.config = config
        self.device = torch.device(device)
        self.generator, self.critic = generator.to(self.device), critic.to(self.device)
        self.iteration = iteration
        self.rank, self.world = world()
        betas = (config["beta1"], config["beta2"])
        # TF.js's Adam: epsilon 1e-7 (its float32 backends' epsilon), bias-corrected moments.
        self.generator_adam = torch.optim.Adam(generator.parameters(), lr=config["learningRate"], betas=betas, eps=1e-7)
        self.critic_adam = torch.optim.Adam(critic.parameters(), lr=config["learningRate"], betas=betas, eps=1e-7)
        critic_objective, generator_objective = CriticObjective(critic), GeneratorObjective(generator, critic)
        if self.world > 1:
            # Buffers (the moving statistics) agree already: every process sees the whole batch's statistics.
            ids = [self.device.index] if self.device.type == "cuda" else None
            wrap = lambda m: nn.parallel.DistributedDataParallel(m, device_ids=ids, broadcast_buffers=False)  # noqa: E731
            critic_objective, generator_objective = wrap(critic_objective), wrap(generator_objective)
        self.critic_objective, self.generator_objective = critic_objective, generator_objective

    def share_of(self, count):
        if count < self.world:
            raise ValueError(f"A batch of {count} windows cannot be split between {self.world} processes.")
        return count * self.rank // self.world, count * (self.rank + 1) // self.world

    def _noise(self, count, step, start, end):
        shape = noise_shape(self.generator.width)
        size = shape[0] * shape[1] * shape[2]
        values = truncated_normal(seed_stream(self.config["seed"], "trainingNoise", self.iteration, step), count * size)
        return torch.from_numpy(values[start * size : end * size].copy()).reshape(end - start, *shape).to(self.device)

    def _mix(self, count, step, start, end):
        values = uniforms(seed_stream(self.config["seed"], "penaltyMix", self.iteration, step), count).astype("float32")
        return torch.from_numpy(values[start:end].copy()).reshape(end - start, 1, 1, 1).to(self.device)

    def _hidden(self, count, step):
        """With voice context, the whole batch's hidden masks at this (iteration, step) as a float tensor [n, 32, 3]; else None."""
        if not self.config.get("voiceContext"):
            return None
        return torch.from_numpy(step_masks(self.config, self.iteration, step, count).astype("float32")).to(self.device)

    def _critic_step(self, batch, step):
        count = batch.shape[0]
        start, end = self.share_of(count)
        real = batch[start:end].to(self.device)
        condition = real[..., :1]
        share = (end - start) / count
        noise = self._noise(count, step, start, end)
        hidden = self._hidden(count, step)
        hidden = None if hidden is None else hidden[start:end]
        self.generator.train()
        with torch.no_grad():
            if hidden is None:
                fake = self.generator(condition, noise)
            else:
                fake = completed(real, self.generator(context_planes(real, hidden), noise), hidden)
        self.critic_adam.zero_grad(set_to_none=True)
        loss, wasserstein, penalty = self.critic_objective(
            real, fake, condition, self._mix(count, step, start, end), share, self.config["gradientPenaltyWeight"]
        )
        (loss * self.world).backward()
        self.critic_adam.step()
        return [loss.detach(), wasserstein.detach(), penalty.detach()]

    def _generator_step(self, batch, step):
        count = batch.shape[0]
        start, end = self.share_of(count)
        real = batch[start:end].to(self.device)
        noise = self._noise(count, step, start, end)
        all_hidden = self._hidden(count, step)
        hidden = None if all_hidden is None else all_hidden[start:end]
        generator_input = real[..., :1] if hidden is None else context_planes(real, hidden)
        for p in self.critic.parameters():
            p.requires_grad_(False)
        try:
            self.generator_adam.zero_grad(set_to_none=True)
            loss, voice = self.generator_objective(
                generator_input,
                noise,
                real,
                (end - start) / count,
                self.config["voiceLossWeight"],
                sounding_voice_cells(batch, all_hidden),
                hidden,
            )
            (loss * self.world).backward()
            self.generator_adam.step()
        finally:
            for p in self.critic.parameters():
                p.requires_grad_(True)
        return [loss.detach(), voice.detach()]

    def train_iteration(self, batches):
        """One iteration on `updateRatio` batches (float tensors [n, 32, 128, 4] of -1/+1, the whole batch on
        every process); returns the losses as `npm run train` logs them."""
        ratio = self.config["updateRatio"]
        if len(batches) != ratio:
            raise ValueError(f"One iteration needs {ratio} batches (the update ratio), got {len(batches)}.")
        values = []
        for step, batch in enumerate(batches):
            values += self._critic_step(batch, step)
        values += self._generator_step(batches[-1], ratio)
        values = torch.stack([v.reshape(()) for v in values]).double()
        if self.world > 1:
            dist.all_reduce(values)
        values = values.tolist()
        self.iteration += 1
        mean = lambda k: sum(values[s * 3 + k] for s in range(ratio)) / ratio  # noqa: E731
        return {
            "criticLoss": mean(0),
            "generatorLoss": values[3 * ratio],
            "wasserstein": mean(1),
            "gradientPenalty": mean(2),
            "voiceLoss": values[3 * ratio + 1],
        }

    def adam_states(self):
        """Both Adams as model files keep them: {'generator'|'critic': {'iterations', 'm', 'v'}} by weight name."""
        states = {}
        for key, model, adam in (("generator", self.generator, self.generator_adam), ("critic", self.critic, self.critic_adam)):
            m, v, iterations = {}, {}, 0
            for name, p in named_tensors(model).items():
                state = adam.state.get(p)
                if isinstance(p, nn.Parameter) and state:
                    m[name], v[name] = state["exp_avg"], state["exp_avg_sq"]
                    iterations = int(state["step"])
            states[key] = {"iterations": iterations, "m": m, "v": v}
        return states

    def load_adam_states(self, states):
        """Restores both Adams from a model file's state (read_optimizer); an empty state starts Adam afresh."""
        for key, model, adam in (("generator", self.generator, self.generator_adam), ("critic", self.critic, self.critic_adam)):
            state = states.get(key)
            if not state or not state["m"]:
                continue
            for name, p in named_tensors(model).items():
                if isinstance(p, nn.Parameter):
                    adam.state[p] = {
                        "step": torch.tensor(float(state["iterations"])),
                        "exp_avg": state["m"][name].to(self.device, copy=True),
                        "exp_avg_sq": state["v"][name].to(self.device, copy=True),
                    }


def window_batch(windows, indices):
    """Float windows [n, 32, 128, 4] of the int8 training windows at `indices`."""
    return torch.from_numpy(windows[indices].astype("float32")).reshape(len(indices), WINDOW_STEPS, PITCHES, MODEL_TRACKS)
