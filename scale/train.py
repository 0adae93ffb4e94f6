"""Trains a Cantus accompaniment GAN with PyTorch, data-parallel under torchrun (one process per GPU, or per
group of CPU cores), on the run folder `npm run scale -- prepare` wrote; the same networks, WGAN-GP step,
seeded batches and noise as `npm run train`, and the same checkpoint/ and model/ files, which the page and
`npm run accompany` load and `npm run train` resumes.

    torchrun --nproc_per_node 2 scale/train.py --run runs/big
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch
    import torch.distributed as dist
except ImportError:
    sys.exit("PyTorch is not installed for this Python: on Debian, `sudo apt-get install python3-torch` and run /usr/bin/python3.")

from cantus_scale.modelfile import networks_from, write_model_dir  # noqa: E402
from cantus_scale.networks import set_sync_batch_norm  # noqa: E402
from cantus_scale.run import RunError, check_config, iterations_per_epoch, read_checkpoint, read_windows  # noqa: E402
from cantus_scale.seeds import BatchSampler  # noqa: E402
from cantus_scale.step import Trainer, window_batch  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Data-parallel PyTorch trainer for Cantus models (run it under torchrun).")
    parser.add_argument("--run", required=True, help="run folder written by `npm run scale -- prepare`")
    parser.add_argument("--epochs", type=int, help="train to this many epochs in all (default: the checkpoint's)")
    parser.add_argument("--max-iterations", type=int, help="stop (with a checkpoint) once the run has done N iterations in all")
    parser.add_argument("--checkpoint-every", type=int, default=10, help="also checkpoint every N iterations (default 10)")
    parser.add_argument("--threads", type=int, help="CPU threads per process (default: PyTorch's)")
    parser.add_argument(
        "--device", choices=("auto", "cpu", "cuda"), default="auto", help="cuda: one GPU per process (NCCL); auto: cuda when available"
    )
    parser.add_argument("--quiet", action="store_true", help="print one line per epoch")
    args = parser.parse_args(argv)
    for flag in ("epochs", "max_iterations", "checkpoint_every", "threads"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            parser.error(f"--{flag.replace('_', '-')} must be a whole number >= 1, got {value}")
    return args


def train(args):
    cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    if cuda and not torch.cuda.is_available():
        raise RunError("--device cuda: this PyTorch has no usable CUDA GPU; use --device cpu.")
    device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu"
    if cuda:
        torch.cuda.set_device(device)
    if "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank() if dist.is_initialized() else 0
    world = dist.get_world_size() if dist.is_initialized() else 1
    if args.threads:
        torch.set_num_threads(args.threads)
    say = (lambda line: print(line, flush=True)) if rank == 0 else (lambda line: None)
    windows = read_windows(args.run)
    manifest, values, adam_states = read_checkpoint(args.run)
    config = dict(manifest["config"])
    if args.epochs is not None:
        config["epochs"] = args.epochs
    check_config(config)
    if config["batchSize"] < world:
        raise RunError(f"A batch of {config['batchSize']} windows cannot be split between {world} processes.")
    generator, critic = networks_from(manifest, values)
    set_sync_batch_norm(generator, world > 1)
    counters = dict(manifest["counters"])
    trainer = Trainer(generator, critic, config, iteration=counters["iteration"], device=device)
    trainer.load_adam_states(adam_states)
    if not adam_states and rank == 0:
        say("the checkpoint holds a finished model without optimiser state: both Adams start afresh")
    per_epoch = iterations_per_epoch(len(windows), config)
    total = config["epochs"] * per_epoch
    last = min(total, args.max_iterations or total)
    sampler = BatchSampler(len(windows), config["batchSize"], config["seed"])
    say(
        f"torch {torch.__version__}, {world} process{'es' if world > 1 else ''} on {'CUDA GPUs' if cuda else f'CPU, {torch.get_num_threads()} threads each'}; "
        f"{len(windows)} windows; width {config['baseWidth']}, batch {config['batchSize']}, update ratio {config['updateRatio']}, "
        f"learning rate {config['learningRate']}; {per_epoch} iterations per epoch, {config['epochs']} epochs ({total} iterations); "
        f"from iteration {trainer.iteration}"
    )

    def save(folder, with_optimizers):
        counters.update(epoch=trainer.iteration // per_epoch, iteration=trainer.iteration)
        optimizers = trainer.adam_states() if with_optimizers else None
        write_model_dir(os.path.join(args.run, folder), manifest, config, counters, generator, critic, optimizers)

    started = time.perf_counter()
    ratio = config["updateRatio"]
    while trainer.iteration < last:
        tick = time.perf_counter()
        first = trainer.iteration * ratio
        batches = [window_batch(windows, sampler.indices_of(first + s)) for s in range(ratio)]
        losses = trainer.train_iteration(batches)
        seconds = time.perf_counter() - tick
        epoch_ended = trainer.iteration % per_epoch == 0
        if not all(map(lambda v: v == v and abs(v) != float("inf"), losses.values())):
            raise RunError(f"training diverged at iteration {trainer.iteration} (a loss is not finite); lower the learning rate")
        if rank == 0:
            record = {"iteration": trainer.iteration, "epoch": trainer.iteration // per_epoch, "seconds": seconds, **losses}
            with open(os.path.join(args.run, "log.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
            if not args.quiet or epoch_ended:
                say(
                    f"epoch {(trainer.iteration - 1) // per_epoch + 1}/{config['epochs']} iteration {trainer.iteration}/{total}  "
                    f"critic {losses['criticLoss']:.4f}  generator {losses['generatorLoss']:.4f}  W {losses['wasserstein']:.4f}  "
                    f"GP {losses['gradientPenalty']:.4f}  voice {losses['voiceLoss']:.4f}  "
                    f"{config['batchSize'] * ratio / seconds:.1f} samples/s"
                )
            if epoch_ended or trainer.iteration % args.checkpoint_every == 0:
                save("checkpoint", True)
    if rank == 0:
        save("checkpoint", True)
        save("model", False)
        say(
            f"saved the model to {os.path.join(args.run, 'model')} (epoch {counters['epoch']}, iteration {counters['iteration']}) "
            f"after {time.perf_counter() - started:.1f} s"
        )
    if dist.is_initialized():
        dist.barrier()


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    try:
        train(arguments)
    except RunError as error:
        sys.exit(str(error))
    if dist.is_initialized():
        # PyTorch 1.13's gloo teardown (destroy_process_group, or the interpreter's exit) now and then spins on a
        # connection its peer has already closed and never returns (pytorch/pytorch#75097): every process has passed
        # the barrier and the files are written, so leave without it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
