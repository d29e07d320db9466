"""Evaluate the neural vocoder against Griffin-Lim (32 iterations) and render its model card.

    python -m aigc_demo.eval checkpoints/vocoder            # eval.json + README.md (+ learning curve, samples)
    python -m aigc_demo.eval checkpoints/vocoder --quick    # 2 clips per voice, figures only

Sets (aigc_demo/data/speech.py): held-out synthetic voices (never in training), real human recordings (the only
ones offline: four short clips in gradio's wheel and alsa-utils' eight spoken words), and the training voices'
unseen sentences (validation, used to pick the checkpoint, so its figures are mildly optimistic). For every clip:
its log-mel spectrogram, rebuilt by both vocoders from exactly the same features; PESQ-wb, STOI and multi-resolution STFT distance against the
original; and the time each took (one thread). Figures are averaged per voice, then over voices.

Where the gap is: two oracle rebuilds split the vocoder's error into its two halves. Its predicted magnitudes
with the original's phase, and the original's magnitudes with its predicted phase (both through the same
inverse STFT). Whichever scores lower is the half that holds the model back.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
import yaml

from aigc_demo.audio_metrics import compare
from aigc_demo.models.vocoder import SAMPLE_RATE, VocosVocoder, stft
from aigc_demo.models.mel_match import match_mel
from aigc_demo.pipelines.vocoder import (MEL_MATCH_PASSES, fit_length, griffin_lim_from_mel, least_squares_magnitude,
                                         mel_spectrogram, neural_from_mel)

METRICS = ("pesq_wb", "stoi", "mrstft")
# neural = the network + mel matching, as the app runs it; matching_only = the same passes without the network
VOCODERS = ("neural", "network_only", "matching_only", "griffin_lim")
ORACLES = ("neural_magnitude_true_phase", "true_magnitude_neural_phase")
SAMPLE_VOICE = "synthetic:piper-joe"


def rebuild_and_score(model, clip: np.ndarray) -> dict:
    mel = mel_spectrogram(clip)
    scores = {}
    for name, rebuild in (("neural", lambda: neural_from_mel(model, mel)),
                          ("network_only", lambda: neural_from_mel(model, mel, passes=0)),
                          ("matching_only", lambda: matching_without_network(model, mel)),
                          ("griffin_lim", lambda: griffin_lim_from_mel(mel, len(clip)))):
        start = time.perf_counter()
        audio = fit_length(rebuild(), len(clip))
        seconds = time.perf_counter() - start
        scores[name] = {**compare(clip, audio), "seconds": seconds}
    for name, audio in oracle_rebuilds(model, clip, mel).items():
        scores[name] = {**compare(clip, audio), "seconds": 0.0}
    scores["audio_seconds"] = len(clip) / SAMPLE_RATE
    return scores


@torch.no_grad()
def matching_without_network(model, mel: np.ndarray) -> np.ndarray:
    """The ablation: the mel-matching passes started where Griffin-Lim starts (least-squares magnitudes, random
    phase, seeded), so the card shows how much of the result is the network's."""
    magnitude = torch.from_numpy(least_squares_magnitude(mel)).float()
    phase = torch.from_numpy(np.random.default_rng(0).uniform(-np.pi, np.pi, magnitude.shape)).float()
    start = model.waveform(torch.polar(magnitude, phase)[None])[0]
    return match_mel(start, torch.from_numpy(mel), lambda s: model.waveform(s[None])[0], MEL_MATCH_PASSES).numpy()


@torch.no_grad()
def oracle_rebuilds(model, clip: np.ndarray, mel: np.ndarray) -> dict[str, np.ndarray]:
    """The model's magnitudes with the clip's own phase, and the clip's magnitudes with the model's phase."""
    predicted = model.spectrum(torch.from_numpy(mel)[None].float())[0]
    true = stft(torch.from_numpy(np.ascontiguousarray(clip, np.float32)), model.config.n_fft, model.config.hop)
    frames = min(predicted.shape[-1], true.shape[-1])
    predicted, true = predicted[:, :frames], true[:, :frames]

    def rebuild(magnitude: torch.Tensor, phase: torch.Tensor) -> np.ndarray:
        return model.waveform(torch.polar(magnitude, phase), len(clip)).numpy()

    return {"neural_magnitude_true_phase": rebuild(predicted.abs(), true.angle()),
            "true_magnitude_neural_phase": rebuild(true.abs(), predicted.angle())}


def voice_means(per_clip: list[dict]) -> dict:
    out = {}
    for vocoder in (*VOCODERS, *ORACLES):
        out[vocoder] = {m: round(float(np.nanmean([c[vocoder][m] for c in per_clip])), 3) for m in METRICS}
        out[vocoder]["rtf"] = round(sum(c[vocoder]["seconds"] for c in per_clip) /
                                    sum(c["audio_seconds"] for c in per_clip), 4)
    out["clips"], out["audio_seconds"] = len(per_clip), round(sum(c["audio_seconds"] for c in per_clip), 1)
    return out


def group_means(voices: dict[str, dict]) -> dict:
    """Each voice counts once, however many clips it has."""
    out = {}
    for vocoder in (*VOCODERS, *ORACLES):
        out[vocoder] = {m: round(float(np.nanmean([v[vocoder][m] for v in voices.values()])), 3)
                        for m in (*METRICS, "rtf")}
    out["voices"] = len(voices)
    return out


def evaluation_sets(quick: bool) -> dict[str, dict[str, list[np.ndarray]]]:
    from aigc_demo.data import speech

    speech.build_corpus(splits=("validation", "heldout"))
    count = 2 if quick else None
    heldout = speech.heldout_sets()
    validation = speech.split_clips("validation")
    return {"heldout_synthetic": {k: v[:count] for k, v in heldout.items() if k.startswith("synthetic:")},
            "human": {k: v for k, v in heldout.items() if k.startswith("human:")},
            "validation": {k: v[:count] for k, v in validation.items()}}


def evaluate(folder: Path, args) -> dict:
    torch.set_num_threads(1)  # RTFs on one thread, like the training machine's share
    model = VocosVocoder.from_pretrained(folder).float().eval()
    quick = bool(getattr(args, "quick", False))
    groups, per_voice = {}, {}
    for group, sets in evaluation_sets(quick).items():
        voices = {voice: voice_means([rebuild_and_score(model, clip) for clip in clips])
                  for voice, clips in sets.items() if clips}
        per_voice.update(voices)
        if voices:
            groups[group] = group_means(voices)
    if not quick:
        write_samples(model, folder)
    heldout = groups["heldout_synthetic"]
    metrics = {f"heldout_{m}": heldout["neural"][m] for m in METRICS}
    metrics.update({f"heldout_{m}_griffin_lim": heldout["griffin_lim"][m] for m in METRICS})
    if "human" in groups:
        metrics.update({f"human_{m}": groups["human"]["neural"][m] for m in ("pesq_wb", "stoi")})
        metrics.update({f"human_{m}_griffin_lim": groups["human"]["griffin_lim"][m] for m in ("pesq_wb", "stoi")})
    for group, prefix in (("heldout_synthetic", "heldout"), ("human", "human")):
        if group in groups:
            metrics.update({f"{prefix}_{m}_network_only": groups[group]["network_only"][m] for m in ("pesq_wb", "stoi")})
    metrics["mel_matching_passes"] = MEL_MATCH_PASSES
    metrics["rtf"] = heldout["neural"]["rtf"]
    metrics["rtf_griffin_lim"] = heldout["griffin_lim"]["rtf"]
    metrics["speedup_vs_griffin_lim"] = round(heldout["griffin_lim"]["rtf"] / max(heldout["neural"]["rtf"], 1e-9), 1)
    return {"metrics": metrics, "groups": groups, "voices": per_voice, "quick": quick,
            "parameters": sum(p.numel() for p in model.parameters()), "threads": 1}


def write_samples(model, folder: Path) -> None:
    """One held-out clip (piper's joe, never trained on) as original, Griffin-Lim and neural WAVs, unedited."""
    import soundfile

    from aigc_demo.data import speech

    clips = speech.heldout_sets().get(SAMPLE_VOICE)
    if not clips:
        return
    clip = clips[0]
    mel = mel_spectrogram(clip)
    for name, audio in (("original", clip), ("griffin_lim", griffin_lim_from_mel(mel, len(clip))),
                        ("neural", fit_length(neural_from_mel(model, mel), len(clip)))):
        soundfile.write(folder / f"sample_{name}.wav", np.clip(audio, -1, 1), SAMPLE_RATE, subtype="PCM_16")


def learning_curve_png(training: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve, baseline = training["learning_curve"], training["griffin_lim_baseline"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), dpi=100)
    for ax, metric in zip(axes, ("pesq_wb", "stoi")):
        for split, colour in (("validation", "tab:blue"), ("heldout", "tab:orange")):
            ax.plot([e["minutes"] for e in curve], [e[split][metric] for e in curve], color=colour,
                    label=f"neural, {split} voices")
            ax.axhline(baseline[split][metric], color=colour, linestyle="--", label=f"Griffin-Lim, {split} voices")
        matched = [e["minutes"] for e in curve if e.get("mel_match_passes")]
        if matched:  # from here on the in-training figures are measured through the mel-matching passes
            ax.axvline(matched[0], color="grey", linestyle=":", label="from here: through mel matching")
        ax.set_xlabel("training minutes (CPU; threads per sitting in the card)")
        ax.set_ylabel(metric.replace("_", "-"))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


GROUP_NAMES = {"heldout_synthetic": "held-out synthetic voices", "human": "real human recordings",
               "validation": "training voices, unseen sentences"}


def group_table(groups: dict) -> str:
    rows = []
    for group, g in groups.items():
        for vocoder, label in (("neural", "neural (network + mel matching)"), ("network_only", "the network alone"),
                               ("matching_only", "mel matching alone (no network)"),
                               ("griffin_lim", "Griffin-Lim, 32 it.")):
            v = g[vocoder]
            rows.append(f"| {GROUP_NAMES[group]} ({g['voices']}) | {label} | {v['pesq_wb']} | {v['stoi']} "
                        f"| {v['mrstft']} | {v['rtf']} |")
    return ("| set (voices) | vocoder | PESQ-wb | STOI | MR-STFT distance | real-time factor |\n"
            "|---|---|---:|---:|---:|---:|\n" + "\n".join(rows))


def gap_table(groups: dict) -> str:
    """PESQ-wb / STOI of the vocoder, of its two oracle halves and of Griffin-Lim, per set."""
    labels = (("network_only", "the network alone"), ("neural_magnitude_true_phase", "its magnitudes, original phase"),
              ("true_magnitude_neural_phase", "original magnitudes, its phase"), ("griffin_lim", "Griffin-Lim, 32 it."))
    rows = [f"| {GROUP_NAMES[group]} | " + " | ".join(f"{g[k]['pesq_wb']} / {g[k]['stoi']}" for k, _ in labels) + " |"
            for group, g in groups.items() if all(k in g for k, _ in labels)]
    return ("| set | " + " | ".join(label for _, label in labels) + " |\n|---|" + "---:|" * len(labels) + "\n"
            + "\n".join(rows))


def voice_table(voices: dict) -> str:
    def trio(v: dict, metric: str) -> str:
        return " / ".join(str(v[k][metric]) for k in ("neural", "network_only", "griffin_lim"))

    rows = [f"| {name} | {v['clips']} | {trio(v, 'pesq_wb')} | {trio(v, 'stoi')} |" for name, v in voices.items()]
    return ("| voice | clips | PESQ-wb neural / network alone / GL | STOI neural / network alone / GL |\n"
            "|---|---:|---:|---:|\n" + "\n".join(rows))


def curve_table(training: dict) -> str:
    def step(e: dict) -> str:
        return f"{e['step']} (mel matching)" if e.get("mel_match_passes") else str(e["step"])

    rows = [f"| {step(e)} | {e['minutes']} | {e['validation']['pesq_wb']} | {e['validation']['stoi']} | "
            f"{e['heldout']['pesq_wb']} | {e['heldout']['stoi']} |" for e in training["learning_curve"]]
    return ("| step | minutes | PESQ-wb (validation) | STOI (validation) | PESQ-wb (held-out) | STOI (held-out) |\n"
            "|---:|---:|---:|---:|---:|---:|\n" + "\n".join(rows))


def beats_griffin_lim(metrics: dict, prefix: str) -> bool:
    """Both PESQ-wb and STOI above Griffin-Lim's on one set ("heldout": synthetic voices, "human": recordings)."""
    return all(metrics[f"{prefix}_{m}"] > metrics[f"{prefix}_{m}_griffin_lim"] for m in ("pesq_wb", "stoi"))


def verdict(metrics: dict) -> str:
    sets = {"held-out synthetic voices": "heldout"}
    if "human_pesq_wb" in metrics:
        sets["real human recordings"] = "human"
    won = [name for name, prefix in sets.items() if beats_griffin_lim(metrics, prefix)]
    lost = [name for name in sets if name not in won]
    speed = f"{metrics['speedup_vs_griffin_lim']}x"
    if not lost and metrics["speedup_vs_griffin_lim"] >= 10:
        return (f"On {' and on '.join(won)} it beats Griffin-Lim on both PESQ-wb and STOI, at {speed} its speed "
                f"(the goal: 10x or more).")
    return (f"Where it stands: it does not yet beat Griffin-Lim on both PESQ-wb and STOI on {' or '.join(lost)}"
            f"{' (it does on ' + ' and '.join(won) + ')' if won else ''}; it runs {speed} faster than Griffin-Lim.")


def per_speaker_note(voices: dict) -> str:
    """How many real speakers it is ahead of Griffin-Lim on, metric by metric (the means can hide a split)."""
    human = [v for name, v in voices.items() if name.startswith("human:")]
    if not human:
        return ""
    ahead = {m: sum(v["neural"][m] > v["griffin_lim"][m] for v in human) for m in ("pesq_wb", "stoi")}
    return (f"Speaker by speaker on the real recordings it is ahead in PESQ-wb on {ahead['pesq_wb']} of {len(human)} "
            f"and in STOI on {ahead['stoi']} of {len(human)} (table below).")


def trained_through_note(training: dict) -> str:
    """When a sitting trained the network through the passes, its own output is no longer meant to be heard alone."""
    if not training["optimisation"].get("mel_match_passes"):
        return ""
    return ("Its last sitting trained the network through the passes (`--mel-match-passes`), so the two are one "
            "vocoder: the network's own output has learned to leave to them what they fix, and it scores far lower "
            "alone.\n")


def adversarial_note(training: dict) -> str:
    if "adversarial" in training["optimisation"]:
        return ", with an adversarial loss only in its last sitting"
    return " without an adversarial loss"


RECORDED_KINDS = {"klettres": "letters and syllables", "ktuberling": "words",
                  "fillets": "acted dialogue sentences (Fish Fillets NG)"}


def recorded_packages(data: dict) -> dict[str, int]:
    """{package: training speakers} of the recorded speech in the training record (cached as package_speaker)."""
    packages: dict[str, int] = {}
    for speaker in data.get("recorded_speech", {}).get("train_speakers", []):
        packages[speaker.split("_")[0]] = packages.get(speaker.split("_")[0], 0) + 1
    return packages


def recorded_note(data: dict) -> str:
    """The card's sentence on the real recordings in training, if a sitting used them."""
    recorded, packages = data.get("recorded_speech"), recorded_packages(data)
    if not recorded:
        return ""
    parts = ", ".join(f"{RECORDED_KINDS.get(package, package)} from {count} speaker{'s' * (count != 1)}"
                      for package, count in packages.items())
    fish = " and in the fish game also a character" if "fillets" in packages else ""
    return (f"\n\nReal recordings joined the training audio partway through ({recorded['source']}; "
            f"{recorded['license']}): {parts} (a speaker is a package and language{fish}). Kept apart to choose "
            f"the checkpoint by: {', '.join(recorded['validation_speakers'])}. None of them is in the held-out "
            f"human set.")


def training_speech_limit(data: dict) -> str:
    if "fillets" in recorded_packages(data):
        return ("Trained mostly on synthetic speech; its real recordings are short words and acted dialogue, "
                "mostly in Czech and Dutch")
    if data.get("recorded_speech"):
        return ("Trained mostly on synthetic speech, with short recorded words and syllables (no real recorded "
                "sentences could be had offline for training)")
    return "Trained only on synthetic speech (no real human recordings could be had offline for training)"


def render_card(folder: Path, training: dict, evaluation: dict) -> str:
    metrics, settings, data = evaluation["metrics"], training["settings"], training["data"]
    learning_curve_png(training, folder / "learning_curve.png")
    summary = (f"A Vocos-style neural vocoder ({evaluation['parameters'] / 1e6:.2f}M parameters: ConvNeXt 1-D "
               f"backbone over SpeechT5-compatible log-mel frames, STFT magnitude + phase head, torch.istft) "
               f"trained here on a CPU on speech synthesised offline by {len(data['train_voices'])} voices, "
               f"followed by {metrics.get('mel_matching_passes', 0)} mel-matching passes.")
    front = {"license": "mit", "library_name": "pytorch", "pipeline_tag": "audio-to-audio",
             "tags": ["vocoder", "vocos", "mel-spectrogram", "aigc-studio"],
             "datasets": ["speech synthesised offline (hibari-tts, espeak-ng, flite, festival)"],
             "summary": summary, "data": "synthesised speech (Austen sentences, many engines and voices)",
             "metrics": metrics}
    samples = "\n".join(f"- [{n}](sample_{n}.wav)" for n in ("original", "griffin_lim", "neural")
                        if (folder / f"sample_{n}.wav").is_file())
    return f"""---
{yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip()}
---

# {folder.name}

{summary} It is the Vocoder lab's neural vocoder: mel spectrogram in (16 kHz, 80 Slaney bands 80-7600 Hz,
1024-point STFT, hop 256, log10: exactly SpeechT5's features, so microsoft/speecht5_hifigan is a drop-in
alternative), waveform out.

The network's waveform then goes through {metrics.get('mel_matching_passes', 0)} mel-matching passes
(aigc_demo/models/mel_match.py): the STFT of the output is compared with the input mel band by band, each bin is
scaled by its bands' energy ratio (phase kept), and the inverse STFT is taken again. They take away the faint floor
the network leaves in pauses and between words of real recordings; the harmonics and phase stay the network's.
{trained_through_note(training)}"neural" below is what the app runs (network + passes); "the network alone" is its output before them (the app's
"neural-raw"); "mel matching alone" runs the same passes from Griffin-Lim's starting point (least-squares
magnitudes, random phase) without the network. The number of passes and the gain clamp were chosen on the
validation sets, not on the held-out ones.

**{verdict(metrics)}** {per_speaker_note(evaluation['voices'])}

## Data and license
Austen sentences (public domain) spoken by offline engines (aigc_demo/data/speech.py), resampled to 16 kHz:
{data.get('train_minutes')} minutes of training audio from these voices (sentences per voice):
{json.dumps(data['train_voices'])}; half of each voice's sentences also in a copy resampled by a factor from
{data['perturb_factors']} (pitch and formants shifted together), and a random gain of {training['optimisation']['gain_db']} dB
per training window. Held out entirely (never trained on): {', '.join(data['heldout_voices'])}, plus the real
human recordings. Engines: hibari-tts (Apache-2.0), piper + joe voice (GPL-3 / CC0), espeak-ng (GPL-3), flite
and festival with the CMU voices (BSD-style). Weights: MIT, like this project.{recorded_note(data)}

## Training
```bash
{training['command']}
```
{('Note: ' + training['note'] + chr(10) * 2) if training.get('note') else ''}Hardware: {training['hardware']}, shared with other jobs. Wall time so far: {training['wall_seconds'] / 60:.0f}
minutes ({training['learning_curve'][-1]['step'] if training['learning_curve'] else 0} steps); the checkpoint is the
step with the best validation PESQ-wb, the mean over the validation sets it measured (step {training['best']['step']}).
Settings: {json.dumps(settings)}.
Optimisation: {json.dumps(training['optimisation'])}. Resumable: `--resume` continues from train_state/vocoder.

Learning curve (in-training measurement on {training.get('in_training_eval_clips', '?')} clips per voice;
dashed: Griffin-Lim on the same clips; points marked "mel matching" were measured through the passes, as the app
runs the vocoder, the others on the network alone):

![learning curve](learning_curve.png)

{curve_table(training)}

## Measured figures
From `python -m aigc_demo.eval checkpoints/{folder.name}` (fp16 weights run in float32, one CPU thread; real-time
factor = vocoder seconds / audio seconds, so lower is faster):

{group_table(evaluation['groups'])}

Per voice:

{voice_table(evaluation['voices'])}

Where the gap is (PESQ-wb / STOI; the middle columns keep one half of the vocoder's output and take the other
half from the original recording):

{gap_table(evaluation['groups'])}

## Limitations
{training_speech_limit(data)}: on real
recordings (only four short clips in gradio's wheel, about 18 s, and alsa-utils' eight spoken words, about 11 s,
could be found offline) its figures are shown above and are the least certain. English only. 16 kHz output
(SpeechT5's features stop at 7.6 kHz). Trained for
{training['wall_seconds'] / 60:.0f} minutes on a shared CPU{adversarial_note(training)}, so fine detail and
breathiness are smoother than in the original. PESQ's ITU reference code has its own licence terms.

## Unedited samples
A held-out voice (piper's joe), original and both reconstructions from the same mel spectrogram:
{samples}
"""
