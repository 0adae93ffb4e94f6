"""Tests of the PyTorch trainer (scale/): its networks, seeded draws and training iteration equal TF.js's
(tests/scale/reference.ts writes what TF.js computes), two processes under torchrun equal one, and models go
both ways between it and the page's files.

Run: /usr/bin/python3 -m unittest discover -s tests/scale -v  (needs Debian's python3-torch, and Node for the
TF.js side unless CANTUS_SCALE_FIXTURES names a folder reference.ts wrote). CANTUS_SCALE_OUT, when set, receives
the run trained here from the page's model, for the TF.js side to load back (tests/unit/scale-pytorch.test.ts).

Tolerances. Both sides compute in float32 with different kernels and summation orders, so values agree to
rounding, not bit for bit: a network output within 1e-5 (outputs are O(1); a 4x4 convolution sums 16 x channels
products, ~1e-7 relative each), a loss within 1e-4 of max(1, |loss|) (as tests/unit/model-replicas.test.ts holds
data-parallel TF.js to the single engine), moving statistics within 1e-4. Adam divides a gradient by its own
root mean square, so a weight whose gradient is rounding-sized can move differently: weights are compared by
their update, which must agree within a tenth of the learning rate for 99% of them and never exceed 2.5 x lr per
Adam step (Adam's step is bounded by about lr / (1 - beta1) = 2 lr early on). After several iterations a moving mean
may differ by 2 lr per further iteration (see assert_same_updates).
"""
import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scale"))

try:
    import numpy as np
    import torch
except ImportError:  # pragma: no cover - reported by setUpModule
    torch = None

FIXTURES = None
TRAIN = os.path.join(ROOT, "scale", "train.py")


def setUpModule():
    global FIXTURES
    if torch is None:
        raise unittest.SkipTest(
            f"PyTorch is not installed for {sys.executable}: install Debian's python3-torch (apt-get install python3-torch) to test scale/"
        )
    FIXTURES = os.environ.get("CANTUS_SCALE_FIXTURES")
    if not FIXTURES:
        FIXTURES = tempfile.mkdtemp(prefix="cantus-scale-")
        subprocess.run(["npx", "tsx", "tests/scale/reference.ts", FIXTURES], cwd=ROOT, check=True)


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


#: The reference models: the generator that reads the melody alone, and one with voice context (7 input planes).
KINDS = ("", "context")


def state(folder):
    from cantus_scale.modelfile import networks_from, read_model_dir, read_optimizer

    manifest, values = read_model_dir(folder)
    generator, critic = networks_from(manifest, values)
    adams = {}
    if "optimizers" in manifest:
        adams = {k: read_optimizer(manifest["optimizers"][k], manifest[k], values, k) for k in ("generator", "critic")}
    return manifest, generator, critic, adams


def tensors(generator, critic):
    from cantus_scale.networks import named_tensors

    both = {f"generator:{k}": v.detach().clone() for k, v in named_tensors(generator).items()}
    both.update({f"critic:{k}": v.detach().clone() for k, v in named_tensors(critic).items()})
    return both


def run_copy(tmp, source_checkpoint=None, kind=""):
    """A copy of the reference run folder of `kind` in `tmp` (its checkpoint replaced by `source_checkpoint` if given)."""
    run = os.path.join(tmp, "run")
    shutil.copytree(os.path.join(FIXTURES, kind, "run"), run)
    if source_checkpoint:
        shutil.rmtree(os.path.join(run, "checkpoint"))
        shutil.copytree(source_checkpoint, os.path.join(run, "checkpoint"))
    return run


def train(run, processes, *args):
    """Trains with scale/train.py's command line: in this process for one process, under torchrun for more."""
    if processes == 1:
        import train as cli

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            cli.train(cli.parse_args(["--run", run, *args]))
        return printed.getvalue()
    # torchrun; --redirects/--tee 1 because PyTorch 1.13's launcher cannot read their default under Python 3.11.
    # One node with its rendezvous on a free port: --standalone's fixed port 29400 makes two runs at once wait on
    # each other's rendezvous until they time out.
    rendezvous = ["--nnodes", "1", "--rdzv_backend", "c10d", "--rdzv_endpoint", f"localhost:{free_port()}", "--rdzv_id", "cantus-test"]
    launcher = [sys.executable, "-m", "torch.distributed.run", *rendezvous, "--redirects", "1", "--tee", "1"]
    command = launcher + [f"--nproc_per_node={processes}", TRAIN, "--run", run, *args]
    # A session of its own, so that a launcher out of time goes with its workers (none is left waiting on a peer).
    child = subprocess.Popen(
        command, env=dict(os.environ, OMP_NUM_THREADS="1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = child.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise AssertionError(f"{' '.join(command)} took longer than 600 s")
    if child.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{stdout}\n{stderr}")
    return stdout


def free_port():
    """A TCP port on the loopback interface that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_of(run):
    with open(os.path.join(run, "log.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


class TestCase(unittest.TestCase):
    def assert_losses_close(self, ours, theirs):
        for key in ("criticLoss", "generatorLoss", "wasserstein", "gradientPenalty", "voiceLoss"):
            self.assertLess(abs(ours[key] - theirs[key]), 1e-4 * max(1, abs(theirs[key])), f"{key}: {ours[key]} vs {theirs[key]}")

    def assert_same_updates(self, start, ours, theirs, lr, updates, iterations=1):
        """Moving statistics within 1e-4; trainable weights moved alike (see the module comment). After more than
        one iteration a moving mean may differ by up to 2 lr per further iteration: the bias of a convolution
        followed by a batch norm has a zero gradient in exact arithmetic, so Adam moves it by about +-lr on
        rounding noise, and the next batch means (and moving means) follow it."""
        moving_tolerance = 1e-4 + 2 * lr * (iterations - 1)
        moved = agree = 0
        for name, before in start.items():
            a, b = ours[name] - before, theirs[name] - before
            if name.endswith(("moving_mean", "moving_variance")):
                tolerance = moving_tolerance if name.endswith("moving_mean") else 1e-4
                self.assertLess(float((a - b).abs().max()), tolerance, name)
                continue
            # Adam's step is at most about 2 lr here (lr / (1 - beta1) early on): `updates` steps move no further.
            self.assertLess(float(a.abs().max()), 2.5 * lr * updates, name)
            moved += a.numel()
            agree += int(((a - b).abs() < 0.1 * lr).sum())
        self.assertGreater(moved, 1000)
        self.assertGreater(agree / moved, 0.99, f"{moved - agree} of {moved} weights moved differently")


class SeedsEqualTfjs(TestCase):
    def test_draws_batches_and_noise_as_random_ts(self):
        from cantus_scale.seeds import BatchSampler, mix_seed, shuffled_indices, truncated_normal, uniforms

        ref = load("seeds.json")
        for parts, value in ref["mixSeed"]:
            self.assertEqual(mix_seed(*parts), value)
        self.assertEqual(uniforms(ref["uniformSeed"], 20).tolist(), ref["uniforms"])
        self.assertEqual(uniforms(ref["uniformSeed"], 5, 15).tolist(), ref["uniforms"][15:])
        # Box-Muller through libm here, V8's own log/cos/sin there: equal after rounding to float32, or within 1e-6.
        self.assertLess(float(np.abs(truncated_normal(ref["normalSeed"], 1000) - np.array(ref["normals"])).max()), 1e-6)
        self.assertEqual(shuffled_indices(ref["shuffle"]["count"], ref["shuffle"]["seed"]).tolist(), ref["shuffle"]["order"])
        s = ref["sampler"]
        sampler = BatchSampler(s["windows"], s["batchSize"], s["seed"])
        self.assertEqual([sampler.indices_of(k).tolist() for k in range(len(s["batches"]))], s["batches"])

    def test_hides_the_voices_of_training_windows_as_voice_context_ts(self):
        from cantus_scale.voice_context import training_masks

        masks = load("seeds.json")["masks"]
        drawn = training_masks(masks["seed"], masks["count"])
        self.assertEqual(drawn.reshape(-1).tolist(), masks["values"])
        # Not trivially equal: some windows hide everything, some a part.
        hidden = drawn.reshape(masks["count"], -1).mean(axis=1)
        self.assertTrue((hidden == 1).any() and (hidden < 1).any())


class NetworksEqualTfjs(TestCase):
    def test_same_outputs_for_the_same_weights_and_inputs(self):
        for kind in KINDS:
            with self.subTest(kind=kind or "melody only"):
                self.check_forward(kind)

    def check_forward(self, kind):
        ref = load(os.path.join(kind, "forward.json"))
        _, generator, critic, _ = state(os.path.join(FIXTURES, kind, "run", "checkpoint"))
        width = generator.width
        self.assertEqual(generator.input_channels, 7 if kind else 1)
        melody = torch.tensor(ref["melody"], dtype=torch.float32).reshape(2, 32, 128, 1)
        generator_input = torch.tensor(ref["input"], dtype=torch.float32).reshape(2, 32, 128, generator.input_channels)
        noise = torch.tensor(ref["noise"], dtype=torch.float32).reshape(2, 2, 8, 8 * width)
        roll = torch.tensor(ref["roll"], dtype=torch.float32).reshape(2, 32, 128, 4)
        with torch.no_grad():
            generator.eval()
            inference = generator(generator_input, noise)
            generator.train()
            training = generator(generator_input, noise)
            score = critic(roll, melody)
        gap = lambda ours, theirs: float((ours.reshape(-1) - torch.tensor(theirs)).abs().max())  # noqa: E731
        self.assertLess(gap(inference, ref["generatorInference"]), 1e-5)
        self.assertLess(gap(training, ref["generatorTraining"]), 1e-5)
        self.assertLess(gap(score, ref["critic"]), 1e-4 * max(1, max(abs(v) for v in ref["critic"])))
        # Not trivially equal: the two modes and the two windows differ.
        self.assertGreater(float((inference - training).abs().max()), 1e-3)


class OneIterationEqualsTfjs(TestCase):
    def test_same_losses_moving_statistics_and_updates(self):
        for kind in KINDS:
            with self.subTest(kind=kind or "melody only"):
                self.check_iteration(kind)

    def check_iteration(self, kind):
        from cantus_scale.seeds import BatchSampler
        from cantus_scale.run import read_windows
        from cantus_scale.step import Trainer, window_batch

        manifest, generator, critic, adams = state(os.path.join(FIXTURES, kind, "run", "checkpoint"))
        self.assertEqual(manifest["config"].get("voiceContext", False), bool(kind))
        config = manifest["config"]
        start = tensors(generator, critic)
        trainer = Trainer(generator, critic, config, iteration=manifest["counters"]["iteration"])
        trainer.load_adam_states(adams)
        windows = read_windows(os.path.join(FIXTURES, kind, "run"))
        sampler = BatchSampler(len(windows), config["batchSize"], config["seed"])
        ratio = config["updateRatio"]
        first = trainer.iteration * ratio
        losses = trainer.train_iteration([window_batch(windows, sampler.indices_of(first + s)) for s in range(ratio)])
        self.assert_losses_close(losses, load(os.path.join(kind, "losses.json")))
        after_manifest, after_generator, after_critic, after_adams = state(os.path.join(FIXTURES, kind, "after"))
        self.assertEqual(trainer.iteration, after_manifest["counters"]["iteration"])
        self.assert_same_updates(start, tensors(generator, critic), tensors(after_generator, after_critic), config["learningRate"], ratio)
        ours = trainer.adam_states()
        for key in ("generator", "critic"):
            self.assertEqual(ours[key]["iterations"], after_adams[key]["iterations"])
            for name, m in after_adams[key]["m"].items():
                self.assertLess(float((ours[key]["m"][name] - m).abs().max()), 1e-4 * max(1e-3, float(m.abs().max())) + 1e-6, name)


class TwoProcessesEqualOne(TestCase):
    def test_torchrun_on_two_processes_trains_as_one_process_with_the_whole_batch(self):
        for kind in KINDS:
            with self.subTest(kind=kind or "melody only"):
                self.check_two_processes(kind)

    def check_two_processes(self, kind):
        with tempfile.TemporaryDirectory() as tmp:
            one, two = run_copy(os.path.join(tmp, "one"), kind=kind), run_copy(os.path.join(tmp, "two"), kind=kind)
            _, g0, c0, _ = state(os.path.join(one, "checkpoint"))
            start = tensors(g0, c0)
            train(one, 1, "--max-iterations", "3", "--epochs", "3")
            out = train(two, 2, "--max-iterations", "3", "--epochs", "3")
            self.assertIn("2 processes", out)
            logs = log_of(one), log_of(two)
            self.assertEqual([r["iteration"] for r in logs[0]], [2, 3])
            for a, b in zip(*logs):
                self.assert_losses_close(b, a)
            m1, g1, c1, a1 = state(os.path.join(one, "checkpoint"))
            m2, g2, c2, a2 = state(os.path.join(two, "checkpoint"))
            self.assertEqual(m1["counters"], m2["counters"])
            self.assertEqual(a1["critic"]["iterations"], a2["critic"]["iterations"])
            self.assert_same_updates(start, tensors(g2, c2), tensors(g1, c1), m1["config"]["learningRate"], 2 * m1["config"]["updateRatio"], iterations=2)


class RoundTrip(TestCase):
    def test_a_model_saved_by_the_page_resumes_training_here(self):
        out = os.environ.get("CANTUS_SCALE_OUT") or tempfile.mkdtemp(prefix="cantus-scale-out-")
        shutil.rmtree(os.path.join(out, "run"), ignore_errors=True)
        run = run_copy(out, os.path.join(FIXTURES, "page-model"))
        manifest, g0, c0, adams = state(os.path.join(run, "checkpoint"))
        self.assertEqual(adams, {})
        iteration = manifest["counters"]["iteration"]
        printed = train(run, 1, "--max-iterations", str(iteration + 2), "--epochs", "5")
        self.assertIn("Adams start afresh", printed)
        self.assertEqual([r["iteration"] for r in log_of(run)], [iteration + 1, iteration + 2])
        m, g, c, a = state(os.path.join(run, "checkpoint"))
        self.assertEqual(m["counters"], {"epoch": iteration + 2, "iteration": iteration + 2})
        self.assertEqual(m["config"]["epochs"], 5)
        self.assertEqual(a["generator"]["iterations"], 2)
        model, g_model, _, no_adams = state(os.path.join(run, "model"))
        self.assertNotIn("optimizers", model)
        before, after = tensors(g0, c0), tensors(g_model, c)
        self.assertTrue(all(torch.equal(x, y) for x, y in zip(tensors(g, c).values(), after.values())))
        self.assertGreater(sum(float((after[k] - before[k]).abs().max()) for k in before), 1e-3)
        # What this model's generator writes for the reference inputs, for the TF.js side to compare.
        ref = load("forward.json")
        with torch.no_grad():
            g_model.eval()
            output = g_model(
                torch.tensor(ref["melody"], dtype=torch.float32).reshape(2, 32, 128, 1), torch.tensor(ref["noise"], dtype=torch.float32).reshape(2, 2, 8, 8 * g_model.width)
            )
        with open(os.path.join(out, "torch-forward.json"), "w", encoding="utf-8") as f:
            json.dump(output.reshape(-1).tolist(), f)

    def test_damaged_or_missing_files_are_refused_with_a_message(self):
        from cantus_scale.run import RunError

        with tempfile.TemporaryDirectory() as tmp:
            run = run_copy(tmp)
            with open(os.path.join(run, "checkpoint", "model.weights.bin"), "r+b") as f:
                f.truncate(100)
            with self.assertRaisesRegex(RunError, "it is incomplete"):
                train(run, 1)
            os.remove(os.path.join(run, "windows.bin"))
            with self.assertRaisesRegex(RunError, "npm run scale -- prepare"):
                train(run, 1)

    def test_a_model_with_voice_context_resumes_training_here_and_a_bad_setting_is_refused(self):
        from cantus_scale.modelfile import ModelFileError, networks_from

        with tempfile.TemporaryDirectory() as tmp:
            run = run_copy(tmp, os.path.join(FIXTURES, "context", "page-model"), kind="context")
            iteration = state(os.path.join(run, "checkpoint"))[0]["counters"]["iteration"]
            train(run, 1, "--max-iterations", str(iteration + 1), "--epochs", "5")
            m, g, _, _ = state(os.path.join(run, "model"))
            self.assertTrue(m["config"]["voiceContext"])
            self.assertEqual(g.input_channels, 7)
            self.assertEqual([r["iteration"] for r in log_of(run)], [iteration + 1])
        manifest = {"config": {"baseWidth": 4, "voiceContext": "yes"}, "generator": {}, "critic": {}}
        with self.assertRaisesRegex(ModelFileError, "voiceContext must be true or false"):
            networks_from(manifest, None)


class Bench(TestCase):
    def test_bench_times_iterations_per_second(self):
        import bench

        row = bench.measure(4, seconds=0, skip_above=300, world=1)
        self.assertEqual(row["width"], 4)
        self.assertGreater(row["iterationsPerSecond"], 0)
        self.assertIn("3 iterations", row["note"])
        self.assertIn("skipped", bench.measure(4, seconds=0, skip_above=0, world=1)["note"])


if __name__ == "__main__":
    unittest.main()
