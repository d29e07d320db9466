"""Live training for the Model Lab: a small DCGAN or VAE on a Fashion-MNIST subset, one run per server.

The loop runs in a background thread and publishes snapshots (losses, a sample grid, speed) that the UI
polls, so a closed browser tab or a Stop stops it within one step. The steps are the training scripts' own
(`training_step` in aigc_demo/train/dcgan.py and vae.py), with their arguments parsed by the scripts' own
parsers, so the switches mean exactly what they mean on the command line.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from aigc_demo.errors import UserInputError

log = logging.getLogger(__name__)

FAMILIES = ("dcgan", "vae")
LR_SCHEDULES = ("none", "cosine", "ttur")
MAX_STEPS = 300  # caps one run at a few CPU-minutes, so a public server can't be kept busy for long
MAX_SECONDS = 600  # and a wall-clock cap, for a CPU much slower than this one
TRAIN_SUBSET = 5000  # the first images of the training split
SAMPLE_EVERY = 25
GRID_COLUMNS = 8
# Smaller than the bundled checkpoints' networks, so a step takes a fraction of a second on one CPU thread.
DCGAN_FLAGS = ["--latent-dim", "32", "--base-channels", "32", "--batch-size", "64"]
VAE_FLAGS = ["--latent-dim", "16", "--base-channels", "16", "--batch-size", "64"]

_trainer = threading.Lock()
_current: "TrainingRun | None" = None


class CPUAccelerator:
    """All the training steps ask of an Accelerator: a device and backward(). Starting a real one would pin
    accelerate's process-wide state inside a web server that also runs other work."""
    device = torch.device("cpu")

    @staticmethod
    def backward(loss: torch.Tensor) -> None:
        loss.backward()


@dataclass
class LiveSettings:
    family: str = "dcgan"
    steps: int = 200
    gradient_penalty: bool = False
    lr_schedule: str = "none"
    batch_norm: bool = True
    seed: int = 0


@dataclass
class Snapshot:
    step: int = 0
    total: int = 0
    seconds: float = 0.0
    losses: list[dict] = field(default_factory=list)  # {"step", "series", "loss"}
    grid: np.ndarray | None = None
    done: bool = False
    stopped: bool = False
    error: str | None = None
    model: torch.nn.Module | None = None  # the trained network, in eval mode, once done

    @property
    def steps_per_second(self) -> float:
        return self.step / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float:
        rate = self.steps_per_second
        return (self.total - self.step) / rate if rate > 0 else float("nan")


def check_settings(settings: LiveSettings) -> None:
    if settings.family not in FAMILIES:
        raise UserInputError(f"Pick a model to train from {', '.join(FAMILIES)}.")
    if settings.lr_schedule not in LR_SCHEDULES:
        raise UserInputError(f"Pick a learning-rate schedule from {', '.join(LR_SCHEDULES)}.")
    if not 1 <= settings.steps <= MAX_STEPS:
        raise UserInputError(f"Choose between 1 and {MAX_STEPS} steps.")


def script_args(settings: LiveSettings):
    """The training script's own argument namespace for these settings."""
    common = ["--max-steps", str(settings.steps), "--seed", str(settings.seed)]
    if settings.family == "vae":
        from aigc_demo.train.vae import parse_args

        return parse_args(VAE_FLAGS + common + ["--kl-warmup", str(max(1, settings.steps // 3))])
    from aigc_demo.train.dcgan import parse_args

    switches = (["--gradient-penalty"] if settings.gradient_penalty else []) + (
        [] if settings.batch_norm else ["--no-batch-norm"])
    return parse_args(DCGAN_FLAGS + common + ["--lr-schedule", settings.lr_schedule] + switches)


class TrainingRun:
    def __init__(self, settings: LiveSettings, data_root, owner: str = ""):
        self.settings, self.data_root, self.owner = settings, data_root, owner
        self.stop_event, self.changed = threading.Event(), threading.Condition()
        self.snapshot = Snapshot(total=settings.steps)
        self.thread = threading.Thread(target=self._run, name="lab-trainer", daemon=True)

    def stop(self) -> None:
        self.stop_event.set()

    def wait(self, timeout: float) -> Snapshot:
        """The latest snapshot, after at most `timeout` seconds of waiting for a newer one."""
        with self.changed:
            if not self.snapshot.done:
                self.changed.wait(timeout)
            return Snapshot(**{**self.snapshot.__dict__, "losses": list(self.snapshot.losses)})

    def _publish(self, **fields) -> None:
        with self.changed:
            for name, value in fields.items():
                setattr(self.snapshot, name, value)
            self.changed.notify_all()

    def _run(self) -> None:
        global _current
        try:
            final = self._train()
        except Exception:
            log.exception("live training failed")
            final = {"error": "Training failed on the server (the details are in its log); try again."}
        finally:
            _current = None
            _trainer.release()
        # Published after the release, so whoever sees the run end finds the trainer free.
        self._publish(done=True, **final)

    def _train(self) -> dict:
        from aigc_demo.train.images import load_split

        args = script_args(self.settings)
        images, labels = (t[:TRAIN_SUBSET] for t in load_split("train", self.data_root))
        model, step, sample = build(self.settings.family, args, images, labels)
        start, losses, grid = time.perf_counter(), [], None
        for index in range(args.max_steps):
            if self.stop_event.is_set() or time.perf_counter() - start > MAX_SECONDS:
                break
            losses += [{"step": index + 1, "series": name, "loss": value} for name, value in step(index).items()]
            if (index + 1) % SAMPLE_EVERY == 0 or index == 0 or index + 1 == args.max_steps:
                grid = sample()
            self._publish(step=index + 1, seconds=time.perf_counter() - start, losses=losses, grid=grid)
        return {"stopped": self.snapshot.step < args.max_steps, "grid": sample(), "model": model.eval()}


def build(family: str, args, images, labels):
    """(the network to keep, one training step: index -> {loss name: value}, a sample grid: () -> uint8 array)."""
    from aigc_demo.pipelines.convert import tile
    from aigc_demo.train.images import prior_samples

    accelerator = CPUAccelerator()
    # Weight init draws from torch's global generator: seed it for a reproducible run, inside fork_rng so
    # the rest of the process's global random state is left as it was.
    with torch.random.fork_rng():
        torch.manual_seed(args.seed)
        if family == "vae":
            from aigc_demo.models.vae import ConditionalVAE
            from aigc_demo.train import vae

            model = ConditionalVAE(**vae.model_settings(args))
            optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

            def step(index: int) -> dict:
                reconstruction, kl = vae.training_step(model, optimizer, images, labels, args, index, accelerator)
                return {"reconstruction": round(reconstruction.item(), 3), "KL": round(kl.item(), 3)}

            def sample() -> np.ndarray:
                images_ = prior_samples(model.decode, model.latent_dim, model.num_classes, "cpu", args.seed)
                return tile(images_, GRID_COLUMNS, 2)

            return model, step, sample
        from aigc_demo.models.dcgan import DCGANDiscriminator, DCGANGenerator
        from aigc_demo.train import dcgan

        generator = DCGANGenerator(**dcgan.generator_settings(args))
        discriminator = DCGANDiscriminator(**dcgan.discriminator_settings(args))
    nets = (generator, discriminator, torch.optim.Adam(generator.parameters(), lr=args.lr, betas=dcgan.adam_betas(args)),
            torch.optim.Adam(discriminator.parameters(), lr=args.lr, betas=dcgan.adam_betas(args)))

    def step(index: int) -> dict:
        d_loss, g_loss = dcgan.training_step(nets, images, labels, args, index, accelerator)
        return {"discriminator": round(d_loss, 4), "generator": round(g_loss, 4)}

    def sample() -> np.ndarray:
        generator.eval()  # batch norm's running statistics, as at inference
        images_ = prior_samples(generator, generator.latent_dim, generator.num_classes, "cpu", args.seed)
        generator.train()
        return tile(images_, GRID_COLUMNS, 2)

    return generator, step, sample


def start_training(settings: LiveSettings, data_root, owner: str = "") -> TrainingRun:
    """Start a run in the background, or refuse at once if another is going (one per server)."""
    global _current
    check_settings(settings)
    if not _trainer.acquire(blocking=False):
        raise UserInputError(f"{trainer_status()}; only one training run at a time, try again in a few minutes.")
    run = TrainingRun(settings, data_root, owner)
    _current = run
    run.thread.start()
    return run


def stop_training(owner: str) -> bool:
    """Stop the running training if `owner` started it; whether one was stopped."""
    run = _current
    if run is None or run.owner != owner:
        return False
    run.stop()
    return True


def trainer_status() -> str:
    run = _current
    if run is None:
        return "The trainer is free"
    return f"The trainer is busy: a {run.settings.family} run at step {run.snapshot.step} of {run.snapshot.total}"
