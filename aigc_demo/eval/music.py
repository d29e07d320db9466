"""Measure a music checkpoint: held-out NLL per token, and how close its samples' pitch-class and interval
histograms are to the corpus (against baselines); render its model card."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from aigc_demo.data import chorales
from aigc_demo.eval.music_stats import (audio_pitch_check, distances, histograms, major_share,
                                       parallels_per_100_moves)
from aigc_demo.models.music import sequence_inputs


def chorale_tensors(chorale: chorales.Chorale) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole chorale as frames [1, F, 4] and beat indices [1, F]."""
    beats = [chorales.beat_index(f, chorale.metre, chorale.pickup_frames) for f in range(len(chorale.tokens))]
    return torch.from_numpy(chorale.tokens.astype(np.int64))[None], torch.tensor(beats)[None]


@torch.no_grad()
def heldout_nll(model, pieces: list[chorales.Chorale]) -> dict:
    """Mean negative log-likelihood (nats) per token over whole chorales, from BOS, untransposed;
    also per new-note token (HOLD and REST excluded), the harder part of the prediction."""
    device = next(model.parameters()).device
    total, count, note_total, note_count = 0.0, 0, 0.0, 0
    for chorale in pieces:
        frames, beats = chorale_tensors(chorale)
        inputs, targets, voices, next_beats = (t.to(device) for t in sequence_inputs(frames, beats))
        logits, _ = model(inputs, voices, next_beats)
        nll = torch.nn.functional.cross_entropy(logits.float()[0], targets[0], reduction="none")
        notes = targets[0] > chorales.HOLD
        total, count = total + nll.sum().item(), count + nll.numel()
        note_total, note_count = note_total + nll[notes].sum().item(), note_count + int(notes.sum())
    return {"nll_per_token": total / max(1, count), "nll_per_note_token": note_total / max(1, note_count),
            "tokens": count}


def unigram_tables(pieces: list[chorales.Chorale]) -> np.ndarray:
    """[4, vocab] add-one smoothed token frequencies per voice in the training chorales: the baseline model."""
    counts = np.ones((4, chorales.VOCAB_SIZE))
    counts[:, chorales.BOS] = 0
    for chorale in pieces:
        for voice in range(4):
            np.add.at(counts[voice], chorale.tokens[:, voice].astype(int), 1)
    return counts / counts.sum(axis=1, keepdims=True)


def unigram_nll(tables: np.ndarray, pieces: list[chorales.Chorale]) -> float:
    total = sum(-np.log(tables[v, c.tokens[:, v].astype(int)]).sum() for c in pieces for v in range(4))
    return float(total / sum(c.tokens.size for c in pieces))


def unigram_sample(tables: np.ndarray, n_frames: int, rng: np.random.Generator) -> np.ndarray:
    """Frames drawn independently per voice from the unigram tables (HOLD only after a note, as the sampler)."""
    frames = np.zeros((n_frames, 4), dtype=np.int64)
    for frame in range(n_frames):
        for voice in range(4):
            p = tables[voice].copy()
            if frame == 0 or frames[frame - 1, voice] == chorales.REST:
                p[chorales.HOLD] = 0
            frames[frame, voice] = rng.choice(len(p), p=p / p.sum())
    return frames
SAMPLE_BARS = 16
TEMPERATURES = (0.8, 1.0, 1.2)
CARD_SEEDS = (0, 1, 2)


def model_samples(model, count: int, temperature: float) -> list[np.ndarray]:
    """`count` pieces of SAMPLE_BARS bars in 4/4, seeds 0..count-1 (the app gives the same for the same seed)."""
    from aigc_demo.pipelines.music import sample_grid
    from aigc_demo.seeding import torch_generator

    return [sample_grid(model, SAMPLE_BARS, temperature, torch_generator(seed)) for seed in range(count)]


def piece_statistics(pieces: list[np.ndarray], reference: dict) -> dict:
    """Histogram distances to the held-out chorales, parallel fifths/octaves and the share of major keys."""
    return {**distances(pieces, reference), "parallels_per_100_moves": parallels_per_100_moves(pieces),
            "major_share": major_share(pieces)}


def sample_distances(model, tables, train, heldout, count: int) -> dict:
    """Statistics of the model's samples at each temperature, of the unigram baseline's, of the training
    chorales (the floor two sets of real Bach reach) and of the held-out chorales themselves."""
    frames = SAMPLE_BARS * chorales.frames_per_bar("4/4")
    rng = np.random.default_rng(0)
    reference = histograms(heldout)
    sources = {**{f"model_t{t}": model_samples(model, count, t) for t in TEMPERATURES},
               "unigram": [unigram_sample(tables, frames, rng) for _ in range(count)],
               "train_chorales": [c.tokens for c in train], "heldout_chorales": heldout}
    return {name: piece_statistics(pieces, reference) for name, pieces in sources.items()}


def audio_checks(model, folder: Path) -> dict:
    """Render seed 0 (8 bars, organ) with each available renderer; write the card's sample files."""
    import os

    from aigc_demo.pipelines import synth
    from aigc_demo.pipelines.music import MusicPipeline
    from aigc_demo.seeding import torch_generator

    checks = {}
    for seed in CARD_SEEDS:
        result = MusicPipeline(model)(bars=8, temperature=1.0, generator=torch_generator(seed))
        (folder / f"sample-seed{seed}.mid").write_bytes(result.midi)
        if seed == 0:
            result.piano_roll.save(folder / "samples.png")
            checks[result.renderer] = {**audio_pitch_check(result.audio, result.sample_rate, result.notes),
                                       "expected_seconds": 8 * 4 * 60 / 80, "notes": len(result.notes)}
    if synth.fluidsynth_available():
        os.environ["AIGC_MUSIC_RENDERER"] = "builtin"
        try:
            result = MusicPipeline(model)(bars=8, temperature=1.0, generator=torch_generator(0))
            checks[result.renderer] = audio_pitch_check(result.audio, result.sample_rate, result.notes)
        finally:
            del os.environ["AIGC_MUSIC_RENDERER"]
    return checks


def evaluate(folder: Path, args) -> dict:
    from aigc_demo.pipelines.music import load_music_model

    quick = getattr(args, "quick", False)
    model = load_music_model(folder)
    train, heldout = chorales.load("train"), chorales.load("heldout")
    tables = unigram_tables(train)
    nll = heldout_nll(model, heldout)
    count = 4 if quick else 24
    metrics = {"heldout_nll_per_token": round(nll["nll_per_token"], 4),
               "heldout_nll_per_note_token": round(nll["nll_per_note_token"], 4),
               "unigram_nll_per_token": round(unigram_nll(tables, heldout), 4),
               "heldout_tokens": nll["tokens"], "heldout_chorales": len(heldout),
               "parameters": sum(p.numel() for p in model.parameters()),
               "samples": count, "sample_bars": SAMPLE_BARS,
               "distances": sample_distances(model, tables, train, [c.tokens for c in heldout], count)}
    if not quick:
        metrics["audio"] = audio_checks(model, folder)
    return {"metrics": metrics}


def card_front_matter(metrics: dict) -> dict:
    model = metrics["distances"]["model_t1.0"]
    return {"license": "mit", "library_name": "pytorch", "tags": ["music", "lstm", "bach-chorales", "aigc-studio"],
            "datasets": ["music21 corpus: Bach chorales"],
            "summary": (f"A {metrics['parameters'] / 1e6:.1f}M-parameter LSTM that writes four-part chorales on an "
                        "eighth-note SATB grid, trained here on Bach's chorales."),
            "data": "Bach chorales from the music21 corpus (public domain)",
            "metrics": {"heldout_nll_per_token": metrics["heldout_nll_per_token"],
                        "unigram_nll_per_token": metrics["unigram_nll_per_token"],
                        "pitch_class_tv": model["pitch_class_tv"], "melodic_interval_tv": model["melodic_interval_tv"],
                        "vertical_interval_tv": model["vertical_interval_tv"]}}


def distance_rows(distances_by_source: dict) -> str:
    names = {"unigram": "unigram baseline (tokens drawn independently)",
             "train_chorales": "Bach's training chorales (the floor)", "heldout_chorales": "the held-out chorales"}
    return "\n".join(f"| {names.get(k, k.replace('model_t', 'this model, temperature '))} | {v['pitch_class_tv']} | "
                     f"{v['melodic_interval_tv']} | {v['vertical_interval_tv']} | {v['parallels_per_100_moves']} | "
                     f"{v['major_share']} |" for k, v in distances_by_source.items())


def curve_rows(curve: list[dict]) -> str:
    return "\n".join(f"| {e['step']} | {e['seconds'] / 60:.1f} | {e['train_loss']} | {e.get('heldout_nll', '')} |"
                     for e in curve if "heldout_nll" in e)


def render_card(folder: Path, training: dict, evaluation: dict) -> str:
    import yaml

    metrics, settings = evaluation["metrics"], training["settings"]
    front = card_front_matter(metrics)
    audio = "\n".join(f"| {name} | {v['duration_seconds']} | {v['rms_dbfs']} | {v['chroma_correlation']} |"
                      for name, v in metrics.get("audio", {}).items())
    samples = "\n".join(f"- [sample-seed{s}.mid](sample-seed{s}.mid)" for s in CARD_SEEDS
                        if (folder / f"sample-seed{s}.mid").is_file())
    return f"""---
{yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip()}
---

# {folder.name}

{front['summary']} It is the Audio tab's music model: `/generate_music(seed, temperature, length)`.

Each eighth-note frame holds four tokens (soprano, alto, tenor, bass): a new note at a MIDI pitch, HOLD
(the voice's note goes on) or REST. The LSTM ({settings['n_layers']} layers, {settings['d_hidden']} units,
{settings['d_embed']}-d embeddings, dropout {settings['dropout']}) reads the grid one token at a time and is told which
voice and which beat of the bar it predicts next; BachBot (Liang 2016) showed that this serialisation works.
Weights are stored in float16; the figures below are measured on exactly these weights, run in float32.

## Data and license
{training['data']['description']}. {training['data']['train_chorales']} chorales for training and
{training['data']['heldout_chorales']} held out ({training['data']['heldout_rule']}); only four-voice chorales in 4/4
or 3/4 are used. Notes shorter than an eighth (passing sixteenths) are not on the grid. Training windows are
transposed by a random shift of up to six semitones. Weights: MIT, like this project.

## Training
```bash
{training['command']}
```
{('Note: ' + training['note'] + chr(10) + chr(10)) if training.get('note') else ''}Hardware: {training['hardware']}. Wall time: {training['wall_seconds'] / 60:.0f} minutes; the checkpoint is the step
with the lowest held-out NLL (step {training.get('best_step')}). Optimisation: {json.dumps(training['optimisation'])}.

| step | minutes | train loss (nats/token) | held-out NLL (nats/token) |
|---:|---:|---:|---:|
{curve_rows(training['learning_curve'])}

## Measured figures
From `python -m aigc_demo.eval checkpoints/{folder.name}`.

| metric | value |
|---|---:|
| held-out NLL per token (nats; {metrics['heldout_tokens']:,} tokens, {metrics['heldout_chorales']} chorales) | {metrics['heldout_nll_per_token']} |
| the same, counting only new-note tokens (the hard ones) | {metrics['heldout_nll_per_note_token']} |
| unigram baseline (per-voice token frequencies), held-out NLL per token | {metrics['unigram_nll_per_token']} |

How far the statistics of {metrics['samples']} samples of {metrics['sample_bars']} bars (seeds 0 to
{metrics['samples'] - 1}) are from the held-out chorales': total-variation distance (0 = identical, 1 = disjoint)
between histograms of key-relative pitch classes (duration-weighted, each piece rotated to the tonic that
Krumhansl-Kessler key finding gives it), melodic intervals within each voice, and interval classes between
every two voices sounding together. Beside them: parallel fifths and octaves (two voices moving the same way
and a perfect fifth or octave apart before and after) per 100 moves in which both voices of a pair change
note, and the share of pieces whose key comes out major.

| samples from | pitch class TV | melodic interval TV | vertical interval TV | parallels per 100 moves | major share |
|---|---:|---:|---:|---:|---:|
{distance_rows(metrics['distances'])}

Listening by measuring: seed 0, 8 bars at 80 beats per minute ({8 * 4 * 60 / 80:.0f} s of music), rendered to audio;
the chroma of the audio, summed over time, against the pitch classes the MIDI asks for (1 = same profile).

| renderer | seconds | RMS (dBFS) | chroma correlation with the MIDI |
|---|---:|---:|---:|
{audio}

## Limitations
Eighth-note grid: no sixteenth-note passing notes and no fermatas; the model only knows the beat, not where a
phrase should end, so a piece stops after the bars asked for, not on a cadence. It imitates the statistics of
Bach's voice-leading without knowing the rules: compare its parallel fifths and octaves and its leaps with
Bach's in the table above. Its pieces come out in major keys more often than the chorales do, and its
key-relative pitch classes are the farthest of its figures from Bach's. Trained on 313 chorales, a small corpus.

## Unedited samples
Seed 0, temperature 1.0, 8 bars (piano roll; soprano red, alto green, tenor blue, bass purple):

![samples](samples.png)

MIDI files of seeds {', '.join(map(str, CARD_SEEDS))} (temperature 1.0, 8 bars, church organ):
{samples}
"""
