"""Train the Vocos-style vocoder (aigc_demo/models/vocoder.py) on speech synthesised here from many voices.

    python -m aigc_demo.train vocoder --threads 1                 # checkpoints/vocoder; resumable with --resume
    python -m aigc_demo.train vocoder --smoke --out /tmp/v    # seconds (tiny model, tiny corpus)

Data: aigc_demo/data/speech.py builds (once) and caches the corpus under /work/data_cache/vocoder: training
voices, validation sentences of those voices, and held-out voices that training never sees.

Each step draws random 0.5 s windows of the training audio, applies a random gain (-18..0 dB), computes their
log-mel features (the SpeechT5 front end) and asks the model to rebuild the waveform. With --room-augment p,
a window is first heard through a simulated room with probability p and given background noise with
probability p (aigc_demo/data/rooms.py: real recordings are neither dry nor silent, synthetic speech is both).
With --recorded-speech PREFIX, real recordings join the training audio: letters, syllables and words spoken by
people in some twenty languages and acted dialogue sentences (aigc_demo/data/recorded_speech.py; Debian's
klettres-data, ktuberling-data and fillets-ng-data under PREFIX, "/" where they are installed), with a few of
those speakers kept apart for validation.
Losses:
  - multi-resolution STFT (spectral convergence + log magnitude at FFT sizes 512, 1024, 2048);
  - mel L1 on the log-mel of the output;
  - phase-aware terms (APNet, Ai & Ling 2023): anti-wrapped errors of the predicted phase, of its
    derivative across frequency (group delay) and across time (instantaneous frequency), weighted by the
    target's magnitude; switched in gradually after the magnitude terms have settled;
  - with --consistency-weight > 0, the predicted STFT's distance from the STFT of the waveform it makes
    (relative, like spectral convergence): a spectrogram that overlap-add can't keep loses energy to
    cancellation between overlapping frames, and Griffin-Lim's phase, however rough, never does;
  - with --adv-weight > 0, adversarial training against HiFi-GAN's multi-period critic
    (aigc_demo/models/vocoder_discriminator.py): hinge loss, plus feature matching (--fm-weight), the critic
    updated first each step with its own AdamW (--critic-lr). Meant for a run that continues one whose reconstruction
    terms have converged (the critic starts fresh when the resumed state has none), as Vocos' recipe has it.
With --mel-match-passes N, the waveform terms (MR-STFT, mel) judge the output after N mel-matching passes
(aigc_demo/models/mel_match.py, differentiable), as the app plays it, and the in-training evaluation measures it
so; the phase terms still judge the network's own STFT. --init-from CHECKPOINT starts such a run from an
exported checkpoint (train states are not committed).
Every --eval-every steps it rebuilds the validation clips (model selection: the best validation PESQ is saved
to --out; with --room-augment, the best mean of it and the PESQ on the validation clips through seeded rooms,
and with --recorded-speech also of the recorded validation speakers)
and the held-out voices' clips (reported in the learning curve only), timing each.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from aigc_demo.models.mel_match import match_mel
from aigc_demo.models.vocoder import HOP, SAMPLE_RATE, VocosVocoder, log_mel, stft
from aigc_demo.train.common import due, start_run, warmup_cosine, write_training_record
from aigc_demo.train_state import load_training_state, save_training_state

LOSS_RESOLUTIONS = ((512, 128), (1024, 256), (2048, 512))
GAIN_DB = (-18.0, 0.0)
RECORDED_EVAL_CLIPS = 8  # per recorded validation speaker: their clips are single words of about a second
PHASE_RAMP = (500, 2000)  # phase terms: off before the first step, full weight from the second


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train vocoder", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", "--out-dir", dest="out", default="checkpoints/vocoder",
                   help="checkpoint folder to write (--out-dir: the older name, still accepted)")
    p.add_argument("--state-dir", default="train_state/vocoder")
    p.add_argument("--data-dir", default=None, help="corpus cache (default /work/data_cache/vocoder)")
    p.add_argument("--corpus-scale", type=float, default=1.0, help="fraction of the sentences per voice to synthesise")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init-from", default="", metavar="CHECKPOINT",
                   help="when no state is resumed: start from this checkpoint's weights (with a fresh optimizer), "
                        "continuing its step count and learning curve from its training.json (train states are "
                        "not committed; the bundled checkpoint is)")
    p.add_argument("--smoke", action="store_true", help="tiny model, tiny corpus, a few steps (tests)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--dim", type=int, default=192)
    p.add_argument("--intermediate", type=int, default=576)
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--segment-frames", type=int, default=32, help="window length in mel frames (32 = 0.51 s)")
    p.add_argument("--lr", type=float, default=8e-4)
    p.add_argument("--warmup", type=int, default=300)
    p.add_argument("--max-steps", type=int, default=16000)
    p.add_argument("--mel-weight", type=float, default=5.0)
    p.add_argument("--phase-weight", type=float, default=0.3)
    p.add_argument("--consistency-weight", type=float, default=0.0,
                   help="penalise a predicted STFT that differs from the STFT of its own waveform (0 = off)")
    p.add_argument("--mel-match-passes", type=int, default=0,
                   help="train and measure through this many mel-matching passes (aigc_demo/models/mel_match.py, "
                        "as the app runs the vocoder); 0 = the network's own output")
    p.add_argument("--adv-weight", type=float, default=0.0, help="adversarial term (0 = no critic)")
    p.add_argument("--fm-weight", type=float, default=0.0, help="feature-matching term (with --adv-weight)")
    p.add_argument("--critic-lr", type=float, default=2e-4)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--save-every", type=int, default=250)
    p.add_argument("--eval-clips", type=int, default=3, help="clips per voice in the in-training evaluation")
    p.add_argument("--recorded-speech", default="", metavar="PREFIX",
                   help="also train on real recordings (klettres-data, ktuberling-data) found under PREFIX ('/')")
    p.add_argument("--room-augment", type=float, default=0.0,
                   help="probability that a window is heard through a simulated room, and (independently) that it "
                        "gets background noise (aigc_demo/data/rooms.py); when > 0, the validation clips are also "
                        "measured through seeded rooms and the checkpoint is chosen by the mean PESQ of both")
    if "--smoke" in argv:
        p.set_defaults(dim=16, intermediate=32, layers=1, batch_size=2, segment_frames=8, max_steps=4, log_every=2,
                       eval_every=2, save_every=2, warmup=1, corpus_scale=0.02, eval_clips=1)
    return p.parse_args(argv)


def model_settings(args) -> dict:
    return {"dim": args.dim, "intermediate": args.intermediate, "layers": args.layers}


# --- data ----------------------------------------------------------------------------------------------------


def training_audio(data_dir: Path, recorded: bool = False) -> torch.Tensor:
    """All training clips (with `recorded`, the recorded speakers' too) as one float tensor. Windows are drawn
    anywhere in it: a window that straddles two clips just hears one sentence end and the next begin, which
    speech has anyway."""
    from aigc_demo.data.recorded_speech import recorded_clips
    from aigc_demo.data.speech import split_clips

    voices = list(split_clips("train", data_dir).values())
    if recorded:
        voices += list(recorded_clips(data_dir, "train").values())
    return torch.from_numpy(np.concatenate([clip for voice in voices for clip in voice]))


def draw_batch(audio: torch.Tensor, args, rng: torch.Generator) -> torch.Tensor:
    """[B, segment_frames * HOP] random windows at random gains (with --room-augment, some through rooms)."""
    from aigc_demo.data.rooms import LONGEST_RESPONSE, as_recorded

    length = args.segment_frames * HOP
    context = LONGEST_RESPONSE if args.room_augment > 0 else 0  # what reverberates into the window
    starts = torch.randint(context, len(audio) - length, (args.batch_size,), generator=rng)
    if context:
        np_rng = np.random.default_rng(int(torch.randint(0, 2**31, (1,), generator=rng)))
        batch = torch.stack([torch.from_numpy(as_recorded(audio[s - context:s + length].numpy(), length, np_rng,
                                                          args.room_augment)) for s in starts.tolist()])
    else:
        batch = torch.stack([audio[s:s + length] for s in starts.tolist()])
    gain_db = torch.rand(args.batch_size, 1, generator=rng) * (GAIN_DB[1] - GAIN_DB[0]) + GAIN_DB[0]
    return batch * 10 ** (gain_db / 20)


# --- losses --------------------------------------------------------------------------------------------------


def mrstft_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    total = 0.0
    for n_fft, hop in LOSS_RESOLUTIONS:
        out, ref = stft(output, n_fft, hop).abs(), stft(target, n_fft, hop).abs()
        # Over the whole batch (as Parallel WaveGAN does): per window, a silent window's tiny norm would explode it.
        convergence = torch.linalg.norm(ref - out) / torch.linalg.norm(ref).clamp(min=1e-5)
        log_l1 = F.l1_loss(torch.log(out + 1e-5), torch.log(ref + 1e-5))
        total = total + convergence + log_l1
    return total / len(LOSS_RESOLUTIONS)


def mel_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    # Floor at 1e-5 (not the front end's 1e-10): errors in inaudible bins should not drive training.
    return F.l1_loss(log_mel(output).clamp(min=-5), log_mel(target).clamp(min=-5))


def anti_wrap(x: torch.Tensor) -> torch.Tensor:
    """|x| after wrapping into [-pi, pi]: a phase error of 2 pi is no error."""
    return torch.abs(x - 2 * math.pi * torch.round(x / (2 * math.pi)))


def phase_loss(predicted: torch.Tensor, target_audio: torch.Tensor, n_fft: int) -> torch.Tensor:
    """Instantaneous phase + group delay + instantaneous frequency errors, weighted by target magnitude."""
    target = stft(target_audio, n_fft, HOP)
    phase, ref_phase = predicted.angle(), target.angle()
    weight = target.abs()
    weight = weight / weight.mean(dim=(1, 2), keepdim=True).clamp(min=1e-6)
    ip = (weight * anti_wrap(phase - ref_phase)).mean()
    gd = (weight[:, 1:] * anti_wrap(torch.diff(phase, dim=1) - torch.diff(ref_phase, dim=1))).mean()
    iaf = (weight[:, :, 1:] * anti_wrap(torch.diff(phase, dim=2) - torch.diff(ref_phase, dim=2))).mean()
    return ip + gd + iaf


def consistency_loss(spectrum: torch.Tensor, output: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    """||S - STFT(iSTFT(S))|| / ||S|| over the batch, inner frames only (the two edge frames of a window are
    padded differently by the analysis and the synthesis, so they never agree exactly)."""
    rebuilt = stft(output, n_fft, hop)[..., 2:-2]
    predicted = spectrum[..., 2:-2]
    return torch.linalg.norm(predicted - rebuilt) / torch.linalg.norm(predicted).clamp(min=1e-5)


def phase_weight(step: int, args) -> float:
    start, full = PHASE_RAMP if not args.smoke else (0, 1)
    return args.phase_weight * min(1.0, max(0.0, (step - start) / max(1, full - start)))


class Adversary:
    """The multi-period critic and its optimizer (adversarial runs only)."""

    def __init__(self, args):
        from aigc_demo.models.vocoder_discriminator import VocoderCritics

        self.critics = VocoderCritics()
        self.optimizer = torch.optim.AdamW(self.critics.parameters(), lr=args.critic_lr, betas=(0.8, 0.99),
                                           weight_decay=0.01)

    def critic_step(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        from aigc_demo.models.vocoder_discriminator import critic_loss

        self.critics.requires_grad_(True)
        loss = critic_loss(self.critics(real), self.critics(fake.detach()))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    def generator_terms(self, real: torch.Tensor, fake: torch.Tensor) -> dict[str, torch.Tensor]:
        from aigc_demo.models.vocoder_discriminator import feature_matching_loss, generator_adversarial_loss

        self.critics.requires_grad_(False)  # the generator's backward pass needs no critic weight gradients
        judged = self.critics(fake)
        with torch.no_grad():
            reference = self.critics(real)
        return {"adv": generator_adversarial_loss(judged), "fm": feature_matching_loss(reference, judged)}


def training_step(model, optimizer, batch: torch.Tensor, step: int, args, adversary: Adversary | None = None) -> dict:
    mel = log_mel(batch)
    spectrum = model.spectrum(mel)
    output = model.waveform(spectrum, batch.shape[1])
    if args.mel_match_passes > 0:  # the waveform losses judge what the app plays; the phase loss, the network's own
        output = match_mel(output, mel, lambda s: model.waveform(s, batch.shape[1]), args.mel_match_passes)
    losses = {"mrstft": mrstft_loss(output, batch), "mel": mel_loss(output, batch),
              "phase": phase_loss(spectrum, batch, model.config.n_fft)}
    loss = losses["mrstft"] + args.mel_weight * losses["mel"] + phase_weight(step, args) * losses["phase"]
    if args.consistency_weight > 0:
        losses["consistency"] = consistency_loss(spectrum, output, model.config.n_fft, model.config.hop)
        loss = loss + args.consistency_weight * losses["consistency"]
    if adversary is not None:
        losses["critic"] = adversary.critic_step(batch, output)
        losses.update(adversary.generator_terms(batch, output))
        loss = loss + args.adv_weight * losses["adv"] + args.fm_weight * losses["fm"]
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return {k: float(v.item()) for k, v in losses.items()}


# --- in-training evaluation ----------------------------------------------------------------------------------


def clip_sets(data_dir: Path, split: str, count: int, recorded: bool = False) -> dict[str, list[np.ndarray]]:
    """The first `count` clips of each voice of a split (of the recorded speakers, with `recorded`)."""
    from aigc_demo.data.recorded_speech import recorded_clips
    from aigc_demo.data.speech import split_clips

    found = recorded_clips(data_dir, split) if recorded else split_clips(split, data_dir)
    return {voice: clips[:count] for voice, clips in found.items()}


def through_rooms(sets: dict[str, list[np.ndarray]]) -> dict[str, list[np.ndarray]]:
    """Every clip through its own seeded room and noise (the same every run): a stand-in for real recordings."""
    from aigc_demo.data.rooms import as_recorded

    return {voice: [as_recorded(clip, len(clip), np.random.default_rng([v, c])) for c, clip in enumerate(clips)]
            for v, (voice, clips) in enumerate(sets.items())}


def evaluation_sets(data_dir: Path, eval_clips: int, rooms: bool = False, recorded: bool = False) -> dict:
    """{split: {voice: clips}} the in-training evaluation measures: validation and held-out voices, plus the
    validation clips through rooms (with `rooms`) and the recorded validation speakers (with `recorded`)."""
    sets = {"validation": clip_sets(data_dir, "validation", eval_clips),
            "heldout": clip_sets(data_dir, "heldout", eval_clips)}
    if rooms:
        sets["validation_rooms"] = through_rooms(sets["validation"])
    if recorded:
        # Joined into one clip per speaker: single words are too short for STOI (384 ms windows after its
        # silence removal), and PESQ is steadier over a few seconds.
        clips = clip_sets(data_dir, "validation", RECORDED_EVAL_CLIPS, recorded=True)
        sets["validation_recorded"] = {speaker: [np.concatenate(words)] for speaker, words in clips.items()}
    return sets


@torch.no_grad()
def measure(model, sets: dict[str, list[np.ndarray]], passes: int = 0) -> dict:
    """Mean PESQ-wb / STOI over all clips (every voice equally weighted), and seconds per second of audio."""
    from aigc_demo.audio_metrics import pesq_wb, stoi
    from aigc_demo.pipelines.vocoder import neural_vocode

    model.eval()
    per_voice, seconds, audio_seconds = [], 0.0, 0.0
    for clips in sets.values():
        scores = []
        for clip in clips:
            start = time.perf_counter()
            # The network alone unless the run trains through mel matching (--mel-match-passes).
            rebuilt = neural_vocode(model, clip, passes)
            seconds += time.perf_counter() - start
            audio_seconds += len(clip) / SAMPLE_RATE
            scores.append((pesq_wb(clip, rebuilt), stoi(clip, rebuilt)))
        per_voice.append(np.nanmean(np.array(scores), axis=0))
    model.train()
    pesq, stoi_score = np.nanmean(np.array(per_voice), axis=0)
    return {"pesq_wb": round(float(pesq), 3), "stoi": round(float(stoi_score), 3),
            "rtf": round(seconds / max(audio_seconds, 1e-9), 4)}


# --- the loop ------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> None:
    from aigc_demo.data import recorded_speech
    from aigc_demo.data.speech import build_corpus, cache_dir

    args = parse_args(argv)
    start_run(args)
    data_dir = Path(args.data_dir) if args.data_dir else cache_dir()
    build_corpus(data_dir, args.corpus_scale)
    if args.recorded_speech:
        print("recorded speech clips:", recorded_speech.build(data_dir, Path(args.recorded_speech)), flush=True)
    torch.manual_seed(args.seed)  # weight init only (a training script, not a request path)
    model = VocosVocoder(**model_settings(args))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.8, 0.99), weight_decay=0.01)
    progress = {"step": 0, "log": [], "seconds": 0.0, "best": None}
    if args.resume and (Path(args.state_dir) / "state.json").exists():
        progress = load_training_state(args.state_dir, model, optimizer)
    elif args.init_from:
        progress = start_from_checkpoint(model, Path(args.init_from))
    adversary = Adversary(args) if args.adv_weight > 0 else None
    critic_state = Path(args.state_dir) / "critics"
    if adversary is not None and args.resume and (critic_state / "state.json").exists():
        load_training_state(critic_state, adversary.critics, adversary.optimizer)
    audio = training_audio(data_dir, bool(args.recorded_speech))
    progress["train_minutes"] = round(len(audio) / SAMPLE_RATE / 60, 1)
    sets = evaluation_sets(data_dir, args.eval_clips, rooms=args.room_augment > 0, recorded=bool(args.recorded_speech))
    baseline = progress.setdefault("baseline", {})
    for split in sets:
        # Measured again when a split's voices changed (a new recorded validation speaker, say), or are not on record.
        if baseline.get(split, {}).get("voices") != sorted(sets[split]):
            baseline[split] = {**griffin_lim_scores(sets[split]), "voices": sorted(sets[split])}
            print(f"griffin-lim on {split}:", baseline[split], flush=True)
    run(model, optimizer, audio, sets, args, argv, progress, data_dir, adversary)


def start_from_checkpoint(model, folder: Path) -> dict:
    """Load an exported checkpoint's weights into `model` (same settings) and return the progress it records."""
    trained = VocosVocoder.from_pretrained(folder)
    if trained.settings() != model.settings():
        raise SystemExit(f"{folder} has settings {trained.settings()}, this run {model.settings()}: pass the same "
                         "--dim, --intermediate and --layers.")
    model.load_state_dict({k: v.float() for k, v in trained.state_dict().items()})
    record = json.loads((folder / "training.json").read_text())
    # The checkpoint holds the running best's weights, so the run goes on from that step.
    log = [entry for entry in record["learning_curve"] if entry["step"] <= record["best"]["step"]]
    return {"step": record["best"]["step"], "log": log, "seconds": log[-1]["minutes"] * 60 if log else 0.0,
            "best": record["best"], "baseline": record.get("griffin_lim_baseline", {})}


def griffin_lim_scores(sets: dict[str, list[np.ndarray]]) -> dict:
    from aigc_demo.audio_metrics import pesq_wb, stoi
    from aigc_demo.pipelines.vocoder import griffin_lim

    per_voice = []
    for clips in sets.values():
        rebuilt = [griffin_lim(clip) for clip in clips]
        per_voice.append(np.nanmean([(pesq_wb(c, r), stoi(c, r)) for c, r in zip(clips, rebuilt)], axis=0))
    pesq, stoi_score = np.nanmean(np.array(per_voice), axis=0)
    return {"pesq_wb": round(float(pesq), 3), "stoi": round(float(stoi_score), 3)}


def run(model, optimizer, audio, sets, args, argv, progress, data_dir, adversary=None) -> None:
    start, seconds_before = time.time(), progress["seconds"]
    sums, count = {"mrstft": 0.0, "mel": 0.0, "phase": 0.0}, 0
    if args.consistency_weight > 0:
        sums["consistency"] = 0.0
    if adversary is not None:
        sums.update(adv=0.0, fm=0.0, critic=0.0)
    for step in range(progress["step"], args.max_steps):
        rng = torch.Generator().manual_seed(args.seed * 2**32 + step)  # resuming at step k redraws step k's batch
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(step, args.lr, args.warmup, args.max_steps)
        losses = training_step(model, optimizer, draw_batch(audio, args, rng), step, args, adversary)
        sums = {k: sums[k] + losses[k] for k in sums}
        count += 1
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        if due(step, args.log_every, args.max_steps):
            print(f"step {step + 1} {progress['seconds']:.0f}s " +
                  " ".join(f"{k} {v / count:.4f}" for k, v in sums.items()), flush=True)
            sums, count = {k: 0.0 for k in sums}, 0
        if due(step, args.eval_every, args.max_steps):
            evaluate_and_keep_best(model, sets, args, argv, progress, data_dir)
        if due(step, args.save_every, args.max_steps):
            save_training_state(args.state_dir, model, optimizer, progress)
            if adversary is not None:
                save_training_state(Path(args.state_dir) / "critics", adversary.critics, adversary.optimizer, {})


def evaluate_and_keep_best(model, sets, args, argv, progress, data_dir) -> None:
    """One learning-curve point; the model goes to --out when its validation PESQ is the best so far."""
    through = {"mel_match_passes": args.mel_match_passes} if args.mel_match_passes else {}
    entry = {"step": progress["step"], "minutes": round(progress["seconds"] / 60, 1),
             **{split: measure(model, s, args.mel_match_passes) for split, s in sets.items()}, **through}
    progress["log"].append(entry)
    print(entry, flush=True)
    best = progress["best"]
    # What the figure was measured on: the voices of each split, and the passes (figures through mel matching do
    # not compare with the network's own, so the key is present only when passes are used).
    voices = {**{split: sorted(sets[split]) for split in selection_splits(entry)}, **through}
    # A run that adds a validation set, or a speaker to one, chooses by a new figure: its first point starts the
    # comparison.
    if best is None or measured_on(progress, voices) != voices or selection_score(entry) > selection_score(best):
        progress["best"], progress["best_voices"] = entry, voices
        save_checkpoint(model, args, argv, progress, data_dir)


def measured_on(progress: dict, voices: dict) -> dict:
    """{split: voices} the running best was chosen on. For states from before the voices were kept on record:
    the best's splits, each taken to hold today's `voices` (so only a new or dropped split starts afresh)."""
    if "best_voices" in progress:
        return progress["best_voices"]
    return {split: voices.get(split) for split in selection_splits(progress["best"])}


def selection_splits(entry: dict) -> list[str]:
    return [split for split in ("validation", "validation_rooms", "validation_recorded") if split in entry]


def selection_score(entry: dict) -> float:
    """The figure checkpoints are chosen by: validation PESQ-wb (mean with the room-validation and recorded
    validation sets', where measured)."""
    return float(np.mean([entry[split]["pesq_wb"] for split in selection_splits(entry)]))


def save_checkpoint(model, args, argv, progress, data_dir) -> None:
    """fp16 weights (half the size; loading casts back to float32), config.json and training.json."""
    from aigc_demo.data import speech

    out = Path(args.out)
    half = VocosVocoder(**model.settings()).half()
    half.load_state_dict({k: v.detach().half() for k, v in model.state_dict().items()})
    half.save_pretrained(out)
    write_training_record(
        out, "vocoder", argv, progress, settings=model.settings(), weights_dtype="float16",
        in_training_eval_clips=args.eval_clips,
        best=progress["best"], griffin_lim_baseline=progress["baseline"],
        optimisation={"batch_size": args.batch_size, "segment_seconds": args.segment_frames * HOP / SAMPLE_RATE,
                      "max_steps": args.max_steps, "lr": args.lr, "warmup": args.warmup, "optimizer": "AdamW(0.8, 0.99)",
                      "losses": {"mrstft": 1.0, "mel_l1": args.mel_weight, "phase (IP+GD+IAF)": args.phase_weight,
                                 **({"consistency": args.consistency_weight} if args.consistency_weight > 0 else {})},
                      "phase_ramp_steps": list(PHASE_RAMP), "gain_db": list(GAIN_DB), "seed": args.seed,
                      "room_augment": args.room_augment, "mel_match_passes": args.mel_match_passes,
                      **({"adversarial": {"critic": "multi-period (HiFi-GAN), periods 2-11, hinge loss",
                                          "adv_weight": args.adv_weight, "fm_weight": args.fm_weight,
                                          "critic_lr": args.critic_lr}} if args.adv_weight > 0 else {})},
        data={"source": "synthesised speech", "cache": str(data_dir), "train_voices": speech.TRAIN_VOICES,
              "validation_voices": speech.VALIDATION_VOICES, "heldout_voices": speech.HELDOUT_VOICES,
              "perturb_factors": list(speech.PERTURB_FACTORS), "train_minutes": progress.get("train_minutes"),
              "corpus_scale": args.corpus_scale, **recorded_record(args, data_dir)})


def recorded_record(args, data_dir: Path) -> dict:
    """The training record's account of the recorded speech, if the run used it."""
    from aigc_demo.data import recorded_speech

    if not args.recorded_speech:
        return {}
    return {"recorded_speech": {
        "source": "Debian packages of free games (aigc_demo/data/recorded_speech.py)",
        "license": recorded_speech.LICENSE,
        "train_speakers": sorted(recorded_speech.recorded_clips(data_dir, "train")),
        "validation_speakers": sorted(recorded_speech.recorded_clips(data_dir, "validation")),
        "validation_clips_per_speaker": RECORDED_EVAL_CLIPS}}


if __name__ == "__main__":
    main(sys.argv[1:])
