"""Times the PyTorch trainer as `npm run bench` times the TF.js engine: training iterations per second of a batch
of 16 random windows, 5 critic steps and 1 generator step, per model width. Run it alone (one process) or under
torchrun (data-parallel); rank 0 prints one JSON line: [{"width", "iterationsPerSecond", "note"}]. `npm run bench
-- --backends pytorch,pytorch-2p` runs both and puts them beside the TF.js backends.

    /usr/bin/python3 scale/bench.py --widths 16,64 [--seconds 20] [--skip-above 60] [--threads N]

--threads sets torch.set_num_threads in each process: Debian's python3-torch otherwise starts with OMP_NUM_THREADS's
count, or ONE thread where it is unset, whatever the machine has (scripts/bench/pytorch.ts passes every core to one
process, one thread to each of several).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import numpy as np
    import torch
    import torch.distributed as dist
except ImportError:
    sys.exit("PyTorch is not installed for this Python: on Debian, `sudo apt-get install python3-torch` and run /usr/bin/python3.")

from cantus_scale.networks import Conv, Critic, Dense, Generator, set_sync_batch_norm  # noqa: E402
from cantus_scale.step import Trainer, window_batch  # noqa: E402

BATCH_SIZE, UPDATE_RATIO = 16, 5
#: Fraction of cells on in the random windows, as scripts/bench/workload.ts (random rolls cost what music costs).
ACTIVE_CELL_RATE = 0.03


def networks(width):
    torch.manual_seed(1)
    generator, critic = Generator(width), Critic(width)
    for module in list(generator.modules()) + list(critic.modules()):
        if isinstance(module, (Conv, Dense)):
            torch.nn.init.xavier_uniform_(module.kernel.view(-1, module.kernel.shape[-1]))
    return generator, critic


def measure(width, seconds, skip_above, world):
    config = {
        "batchSize": BATCH_SIZE,
        "updateRatio": UPDATE_RATIO,
        "seed": 1,
        "learningRate": 1e-3,
        "beta1": 0.5,
        "beta2": 0.9,
        "voiceLossWeight": 10,
        "gradientPenaltyWeight": 10,
    }
    generator, critic = networks(width)
    set_sync_batch_norm(generator, world > 1)
    trainer = Trainer(generator, critic, config)
    windows = np.where(np.random.default_rng(7).random((4 * BATCH_SIZE, 32, 128, 4)) < ACTIVE_CELL_RATE, 1, -1).astype(np.int8)
    draw = lambda k: [window_batch(windows, (np.arange(BATCH_SIZE) + (k * UPDATE_RATIO + s) * BATCH_SIZE) % len(windows)) for s in range(UPDATE_RATIO)]  # noqa: E731
    tick = time.perf_counter()
    trainer.train_iteration(draw(0))  # warm-up
    first = time.perf_counter() - tick
    skip = torch.tensor([1.0 if first > skip_above else 0.0])
    if world > 1:
        dist.broadcast(skip, 0)
    if skip.item() == 1.0:
        return {"width": width, "iterationsPerSecond": None, "note": f"skipped: the warm-up iteration took {first:.0f} s"}
    done, start = 0, time.perf_counter()
    # Every process must run the same number of iterations: rank 0's clock decides, shared each iteration.
    while True:
        trainer.train_iteration(draw(done + 1))
        done += 1
        stop = torch.tensor([1.0 if (done >= 3 and time.perf_counter() - start >= seconds) else 0.0])
        if world > 1:
            dist.broadcast(stop, 0)
        if stop.item() == 1.0:
            break
    rate = done / (time.perf_counter() - start)
    threads = torch.get_num_threads()
    plural = "thread" if threads == 1 else "threads"
    where = f"{world} processes (torchrun, gloo), {threads} {plural} each" if world > 1 else f"1 process, {threads} {plural}"
    return {"width": width, "iterationsPerSecond": rate, "note": f"{where}, {done} iterations"}


def main():
    parser = argparse.ArgumentParser(description="Training iterations per second of the PyTorch trainer.")
    parser.add_argument("--widths", default="16,64")
    parser.add_argument("--seconds", type=float, default=20, help="time each width for at least this long (default 20)")
    parser.add_argument("--skip-above", type=float, default=60, help="skip a width whose warm-up iteration takes longer")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads in each process (default: PyTorch's own, 1 on Debian without OMP_NUM_THREADS)")
    args = parser.parse_args()
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads takes a whole number of at least 1")
        torch.set_num_threads(args.threads)
    if "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:
        dist.init_process_group("gloo")
    world = dist.get_world_size() if dist.is_initialized() else 1
    results = [measure(int(w), args.seconds, args.skip_above, world) for w in args.widths.split(",")]
    if not dist.is_initialized() or dist.get_rank() == 0:
        print(json.dumps(results), flush=True)
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
