"""python -m aigc_demo.bench audio: real-time factors (seconds of work per second of audio) on this machine.

Rows: text to speech for each offline voice (one two-sentence paragraph, speed 1); the neural vocoder (as the
app runs it, with its mel-matching passes, and the network alone) and Griffin-Lim (32 iterations) on the same
mel spectrogram of that paragraph spoken by hibari (resampled to 16 kHz); then music generation's rows from aigc_demo/bench/music.py (`music_rows`, owned by the music
section) when it is present. Median of --repeats runs after one warm-up. RTF below 1 is faster than real time.
"""
from __future__ import annotations

from aigc_demo.bench.timing import bench_parser, median_seconds, use_threads

TEXT = ("It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in "
        "want of a wife. However little known the feelings or views of such a man may be, this truth is well fixed.")
BENCH_VOICES = ("hibari-heart", "piper-joe", "espeak-en-us", "flite-slt", "festival-slt-hts")


def speech_rows(repeats: int) -> list[dict]:
    from aigc_demo.pipelines.speech import TextToSpeechPipeline, available_voices

    tts, rows = TextToSpeechPipeline(), []
    for voice in [v for v in BENCH_VOICES if v in available_voices()]:
        audio, rate, _ = tts(TEXT, voice, 1.0)
        seconds = median_seconds(lambda: tts(TEXT, voice, 1.0), repeats)
        rows.append({"task": f"text to speech: {voice}", "seconds": seconds, "audio_seconds": len(audio) / rate,
                     "rtf": seconds / (len(audio) / rate)})
    return rows


def vocoder_rows(repeats: int) -> list[dict]:
    from aigc_demo.audio import resample
    from aigc_demo.pipelines.speech import TextToSpeechPipeline, default_voice
    from aigc_demo.pipelines.vocoder import griffin_lim_from_mel, load_neural, mel_spectrogram, neural_from_mel

    audio, rate, _ = TextToSpeechPipeline()(TEXT, default_voice(), 1.0)
    mel = mel_spectrogram(resample(audio, rate, 16000))
    audio_seconds = len(audio) / rate
    runs = {"Griffin-Lim, 32 iterations (librosa)": lambda: griffin_lim_from_mel(mel)}
    try:
        model = load_neural()
        runs = {"neural vocoder (checkpoints/vocoder + mel matching)": lambda: neural_from_mel(model, mel),
                "neural vocoder, network alone": lambda: neural_from_mel(model, mel, passes=0), **runs}
    except Exception as error:  # no checkpoint yet: say so in the table rather than fail
        print(f"neural vocoder skipped: {error}")
    return [{"task": f"vocoder: {name}", "seconds": (s := median_seconds(run, repeats)), "audio_seconds": audio_seconds,
             "rtf": s / audio_seconds} for name, run in runs.items()]


def music_section_rows(repeats: int) -> list[dict]:
    try:
        from aigc_demo.bench.music import music_rows
    except ImportError:  # the music section is optional here; its own benchmark owns its rows
        return []
    return music_rows(repeats)


def main(argv: list[str]) -> None:
    parser = bench_parser("audio", __doc__, threads=1)
    parser.add_argument("--no-music", action="store_true")
    args = parser.parse_args(argv)
    machine = use_threads(args.threads)
    print(machine + f"; median of {args.repeats} runs after a warm-up")
    rows = speech_rows(args.repeats) + vocoder_rows(args.repeats)
    rows += [] if args.no_music else music_section_rows(args.repeats)
    print("| task | seconds | audio seconds | real-time factor |\n|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['task']} | {row['seconds']:.3f} | {row['audio_seconds']:.2f} | {row['rtf']:.4f} |")
