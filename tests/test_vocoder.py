"""Vocoder: SpeechT5-identical features, the Vocos-style model, Griffin-Lim, metrics, voice conversion, training
(smoke, resume) + eval card, and /vocode + /compare_vocoders through the served app, measured."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch
from safetensors.torch import load_file

from aigc_demo.audio_metrics import compare
from aigc_demo.models.vocoder import HOP, VocosVocoder, log_mel
from aigc_demo.pipelines.vocoder import (VocoderPipeline, convert_voice, griffin_lim, mel_band_frequencies,
                                         mel_spectrogram, stretch_bands)
from tests.conftest import served_app

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


def harmonic_tone(f0: float = 200.0, seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return sum(0.3 / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, 8)).astype(np.float32)


@pytest.fixture(scope="module")
def speech_16k() -> np.ndarray:
    from aigc_demo.audio import resample
    from aigc_demo.pipelines.speech import espeak_tts

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    audio, rate = espeak_tts("The vocoder rebuilds this sentence from its spectrogram.", 1.0, "en-us")
    return resample(audio, rate, 16000)


def test_features_are_exactly_speecht5s():
    from transformers import SpeechT5FeatureExtractor

    audio = harmonic_tone() + 0.02 * np.random.default_rng(0).standard_normal(16000).astype(np.float32)
    reference = SpeechT5FeatureExtractor()(audio_target=audio, sampling_rate=16000, return_tensors="np")
    ours = log_mel(torch.from_numpy(audio)[None])[0].numpy().T
    assert ours.shape == reference["input_values"][0].shape == (63, 80)
    assert np.abs(ours - reference["input_values"][0]).max() < 1e-4


def test_mel_matching_pulls_a_noisy_rebuild_back_onto_its_mel(speech_16k):
    from aigc_demo.audio_metrics import stoi
    from aigc_demo.models.mel_match import match_mel

    clean = torch.from_numpy(speech_16k[: len(speech_16k) // HOP * HOP])
    noisy = clean + 0.05 * torch.from_numpy(np.random.default_rng(0).standard_normal(len(clean)).astype(np.float32))
    wanted = log_mel(clean[None])[0]

    def inverse(spectrum):
        return torch.istft(spectrum, 1024, HOP, 1024, torch.hann_window(1024), center=True)

    def misfit(audio):  # mean log10-mel error, in the frames and bands that carry speech
        audible = wanted > wanted.max() - 3
        return (log_mel(audio[None])[0] - wanted).abs()[audible].mean().item()

    matched = match_mel(noisy, wanted, inverse)
    assert matched.shape == clean.shape and torch.equal(match_mel(noisy, wanted, inverse, passes=0), noisy)
    assert torch.equal(match_mel(noisy[:300], wanted[:, :2], inverse), noisy[:300])  # too short to analyse: as it is
    assert misfit(matched) < 0.5 * misfit(noisy)  # the noise floor between words is pulled down
    assert stoi(clean.numpy(), matched.numpy()) > stoi(clean.numpy(), noisy.numpy()) + 0.05


def test_model_shapes_size_and_strict_round_trip(tmp_path):
    assert 1e6 < sum(p.numel() for p in VocosVocoder(dim=192, intermediate=576).parameters()) < 4e6
    torch.manual_seed(0)  # test set-up
    model = VocosVocoder(dim=16, intermediate=32, layers=1).eval()
    mel = log_mel(torch.from_numpy(harmonic_tone())[None])
    with torch.no_grad():
        audio = model(mel)
    assert audio.shape == (1, HOP * (mel.shape[2] - 1)) and torch.isfinite(audio).all()
    model.save_pretrained(tmp_path)
    again = VocosVocoder.from_pretrained(tmp_path).eval()
    with torch.no_grad():
        assert torch.equal(again(mel), audio)


def test_griffin_lim_is_seeded_and_keeps_the_spectrum():
    tone = harmonic_tone()
    first, second = griffin_lim(tone), griffin_lim(tone)
    assert np.array_equal(first, second) and len(first) == len(tone)
    noise = np.random.default_rng(0).standard_normal(len(tone)).astype(np.float32) * 0.1
    assert compare(tone, first)["mrstft"] < 0.5 * compare(tone, noise)["mrstft"]


@needs_espeak
def test_metrics_rank_a_cleaner_copy_higher(speech_16k):
    rng = np.random.default_rng(0)
    slight = speech_16k + 0.003 * rng.standard_normal(len(speech_16k)).astype(np.float32)
    heavy = speech_16k + 0.05 * rng.standard_normal(len(speech_16k)).astype(np.float32)
    good, bad = compare(speech_16k, slight), compare(speech_16k, heavy)
    assert good["pesq_wb"] > bad["pesq_wb"] + 0.5 and good["stoi"] > bad["stoi"] and good["mrstft"] < bad["mrstft"]


def strongest_band_hz(mel: np.ndarray) -> float:
    return float(mel_band_frequencies()[np.argmax(mel.mean(axis=1))])


def test_voice_conversion_moves_pitch_and_keeps_zero_as_identity():
    mel = mel_spectrogram(harmonic_tone(200.0))
    assert np.allclose(convert_voice(mel, 0.0, 0.0), mel, atol=1e-4)
    before = strongest_band_hz(mel)
    both_up = strongest_band_hz(convert_voice(mel, 12.0, 12.0))
    assert 1.6 < both_up / before < 2.5  # an octave up, within a mel band's width


# ----------------------------------------------------------------------------- training and eval


@pytest.fixture(scope="module")
def tiny_corpus_voices():
    """Three espeak voices and two fixed sentences, so smoke training needs only espeak and seconds."""
    from aigc_demo.data import speech

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    patch = pytest.MonkeyPatch()
    patch.setattr(speech, "TRAIN_VOICES", {"espeak:en-us": 2, "espeak:en-us+f2": 2})
    patch.setattr(speech, "VALIDATION_VOICES", {"espeak:en-us": 1})
    patch.setattr(speech, "HELDOUT_VOICES", {"espeak:en-us+m3": 1})
    patch.setattr(speech, "sentences", lambda split, count, seed: [
        "The vocoder hears this sentence first.", "Then it hears another one, a little longer than before."][:count])
    patch.setattr(speech, "HUMAN_CLIPS", ())
    patch.setattr(speech, "ALSA_WORDS", ())
    yield speech
    patch.undo()


def test_training_resumes_and_eval_writes_an_honest_card(tiny_corpus_voices, tmp_path, monkeypatch):
    from aigc_demo.eval import vocoder as evaluation
    from aigc_demo.model_card import render_model_card
    from aigc_demo.train.vocoder import main as train

    monkeypatch.setenv("AIGC_DATA_CACHE", str(tmp_path / "cache"))
    out, state = tmp_path / "vocoder", tmp_path / "state"
    train(["--smoke", "--out", str(out), "--state-dir", str(state)])
    first = json.loads((state / "state.json").read_text())["extra"]
    assert first["step"] == 4 and (out / "model.safetensors").is_file()
    train(["--smoke", "--resume", "--max-steps", "6", "--out", str(out), "--state-dir", str(state)])
    record = json.loads((out / "training.json").read_text())
    steps = [e["step"] for e in json.loads((state / "state.json").read_text())["extra"]["log"]]
    assert steps == [2, 4, 6] and record["family"] == "vocoder"
    assert set(record["griffin_lim_baseline"]) == {"validation", "heldout"}
    assert all(0 <= e["heldout"]["stoi"] <= 1 for e in record["learning_curve"])
    result = evaluation.evaluate(out, type("Args", (), {"quick": False})())
    metrics = result["metrics"]
    assert metrics["heldout_pesq_wb_griffin_lim"] > metrics["heldout_pesq_wb_network_only"]  # untrained: it loses
    assert metrics["mel_matching_passes"] == 6
    assert metrics["speedup_vs_griffin_lim"] > 1
    (out / "eval.json").write_text(json.dumps(result))
    card = render_model_card(out)
    assert "does not yet beat" in card and (out / "learning_curve.png").is_file()
    assert "Where the gap is" in card and "original magnitudes, its phase" in card
    assert "| the network alone |" in card and "6 mel-matching passes" in card
    halves = result["groups"]["heldout_synthetic"]
    assert 0 <= halves["true_magnitude_neural_phase"]["stoi"] <= 1
    # An untrained model's magnitudes are noise: with the original phase they still lose to the original magnitudes.
    assert halves["neural_magnitude_true_phase"]["mrstft"] > halves["true_magnitude_neural_phase"]["mrstft"]
    assert (out / "sample_neural.wav").is_file() is False  # the sample voice (piper) is not in this tiny corpus



def test_an_adversarial_sitting_starts_a_critic_and_resumes_it(tiny_corpus_voices, tmp_path, monkeypatch):
    from aigc_demo.train.vocoder import main as train

    monkeypatch.setenv("AIGC_DATA_CACHE", str(tmp_path / "cache"))
    out, state = tmp_path / "vocoder", tmp_path / "state"
    train(["--smoke", "--out", str(out), "--state-dir", str(state)])
    assert not (state / "critics").exists()
    adversarial = ["--adv-weight", "0.1", "--fm-weight", "0.2", "--out", str(out), "--state-dir", str(state)]
    train(["--smoke", "--resume", "--max-steps", "6", *adversarial])
    critic = json.loads((state / "critics" / "state.json").read_text())
    assert critic["param_groups"][0]["lr"] == 2e-4
    train(["--smoke", "--resume", "--max-steps", "8", *adversarial])
    assert json.loads((state / "state.json").read_text())["extra"]["step"] == 8
    moments = load_file(state / "critics" / "optimizer.safetensors")
    assert float(moments["0.step"]) == 4  # the second sitting went on with the first one's critic: 2 + 2 updates


def test_a_sitting_from_a_checkpoint_trains_through_mel_matching(tiny_corpus_voices, tmp_path, monkeypatch):
    from aigc_demo.eval.vocoder import curve_table
    from aigc_demo.train.vocoder import main as train

    monkeypatch.setenv("AIGC_DATA_CACHE", str(tmp_path / "cache"))
    first, second = tmp_path / "first", tmp_path / "second"
    train(["--smoke", "--out", str(first), "--state-dir", str(tmp_path / "state1")])
    exported = json.loads((first / "training.json").read_text())
    train(["--smoke", "--init-from", str(first), "--max-steps", str(exported["best"]["step"] + 4),
           "--mel-match-passes", "2", "--out", str(second), "--state-dir", str(tmp_path / "state2")])
    record = json.loads((second / "training.json").read_text())
    steps = [e["step"] for e in record["learning_curve"]]
    # It went on from the exported step, its curve continuing the checkpoint's, with 4 more steps.
    assert steps[: len(exported["learning_curve"])] == [e["step"] for e in exported["learning_curve"]]
    assert steps[-1] == exported["best"]["step"] + 4
    assert record["optimisation"]["mel_match_passes"] == 2
    # Figures through mel matching don't compare with the network's own: the new sitting chose afresh.
    assert record["best"]["mel_match_passes"] == 2 and record["best"]["step"] > exported["best"]["step"]
    table = curve_table(record)  # the card tells the two kinds of point apart
    assert table.count("(mel matching)") == len(steps) - len(exported["learning_curve"])
    with pytest.raises(SystemExit, match="same --dim"):
        train(["--smoke", "--init-from", str(first), "--dim", "24", "--out", str(tmp_path / "third"),
               "--state-dir", str(tmp_path / "state3")])


def test_a_room_augmented_sitting_chooses_by_both_validation_sets(tiny_corpus_voices, tmp_path, monkeypatch, capsys):
    from aigc_demo.train.vocoder import main as train

    monkeypatch.setenv("AIGC_DATA_CACHE", str(tmp_path / "cache"))
    out, state = tmp_path / "vocoder", tmp_path / "state"
    train(["--smoke", "--out", str(out), "--state-dir", str(state)])
    train(["--smoke", "--resume", "--max-steps", "6", "--room-augment", "0.5", "--out", str(out),
           "--state-dir", str(state)])
    progress = json.loads((state / "state.json").read_text())["extra"]
    assert set(progress["baseline"]) == {"validation", "heldout", "validation_rooms"}
    # The first point with the new set starts the comparison, whatever the old best's validation PESQ was.
    assert "validation_rooms" in progress["best"] and progress["best"]["step"] >= 6 - 2
    record = json.loads((out / "training.json").read_text())
    assert record["optimisation"]["room_augment"] == 0.5
    assert "consistency" not in record["optimisation"]["losses"]
    capsys.readouterr()
    train(["--smoke", "--resume", "--max-steps", "8", "--consistency-weight", "0.5", "--out", str(out),
           "--state-dir", str(state)])
    assert "consistency" in capsys.readouterr().out  # the sitting logs the term it trains with


def test_consistency_is_zero_for_a_real_spectrogram_and_grows_with_scrambled_phase(speech_16k):
    from aigc_demo.models.vocoder import N_FFT, stft
    from aigc_demo.train.vocoder import consistency_loss

    audio = torch.from_numpy(speech_16k[: 64 * HOP]).float()[None]
    spectrum = stft(audio)
    assert float(consistency_loss(spectrum, audio, N_FFT, HOP)) < 1e-3  # a signal's own STFT is consistent
    scrambled = torch.polar(spectrum.abs(), torch.rand(spectrum.shape, generator=torch.Generator().manual_seed(0))
                            * 2 * torch.pi)
    window = torch.hann_window(N_FFT)
    rebuilt = torch.istft(scrambled, N_FFT, HOP, N_FFT, window, center=True, length=audio.shape[1])
    # Random phases cancel between overlapping frames: a large share of the spectrum is not in the waveform.
    assert float(consistency_loss(scrambled, rebuilt, N_FFT, HOP)) > 0.5


def test_a_simulated_room_rings_and_decays_and_keeps_the_loudness(speech_16k):
    from aigc_demo.data import rooms

    rng = np.random.default_rng(0)
    response = rooms.room_impulse(rng)
    tail = response[1:] ** 2
    tenth = max(1, len(tail) // 10)
    assert response[0] == 1 and tail[:tenth].sum() > 100 * tail[-tenth:].sum()  # -60 dB at RT60
    dry = np.ascontiguousarray(speech_16k[:24000], np.float64)
    wet = rooms.as_recorded(dry, 8000, np.random.default_rng(1))
    assert wet.dtype == np.float32 and wet.shape == (8000,)
    assert np.sqrt(np.mean(wet ** 2)) == pytest.approx(np.sqrt(np.mean(dry[-8000:] ** 2)), rel=0.05)
    assert np.corrcoef(wet, dry[-8000:])[0, 1] < 0.99  # not the dry signal
    again = rooms.as_recorded(dry, 8000, np.random.default_rng(1))
    assert np.array_equal(wet, again)  # seeded: the same room and noise
    untouched = rooms.as_recorded(dry, 8000, np.random.default_rng(1), probability=0.0)
    assert np.allclose(untouched, dry[-8000:], atol=1e-6)


def test_coloured_noise_slopes_from_white_to_brown():
    from aigc_demo.data import rooms

    def low_share(slope):
        rng = np.random.default_rng(3)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(rooms, "SLOPE_DB_PER_OCTAVE", (slope, slope))
            noise = rooms.coloured_noise(16000, rng)
        power = np.abs(np.fft.rfft(noise)) ** 2
        return power[:500].sum() / power.sum()  # below 500 Hz

    assert low_share(0.0) == pytest.approx(500 / 8001, rel=0.2)  # white: flat
    assert low_share(-6.0) > 0.5  # brown: most of the power at the bottom


def test_the_period_critic_learns_to_tell_speech_from_noise(speech_16k):
    from aigc_demo.models.vocoder_discriminator import VocoderCritics, critic_loss, feature_matching_loss

    torch.manual_seed(0)  # test set-up
    critics = VocoderCritics(periods=(2, 3))
    optimizer = torch.optim.AdamW(critics.parameters(), lr=1e-3)
    real = torch.from_numpy(np.ascontiguousarray(speech_16k[:8192 * 2], np.float32)).view(2, 8192)
    fake = torch.randn_like(real) * real.std()
    losses = []
    for _ in range(30):
        loss = critic_loss(critics(real), critics(fake))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    assert losses[0] > 1.9 and losses[-1] < 1.0  # starts at chance (2), then tells them apart
    assert float(feature_matching_loss(critics(real), critics(real))) == 0


# ----------------------------------------------------------------------------- the served app


@pytest.fixture(scope="module")
def client(tiny_checkpoints):
    from gradio_client import Client

    torch.manual_seed(0)  # test set-up
    VocosVocoder(dim=16, intermediate=32, layers=1).eval().save_pretrained(tiny_checkpoints / "vocoder")
    with served_app() as url:
        yield Client(url, verbose=False)


@pytest.fixture(scope="module")
def speech_file(speech_16k, tmp_path_factory):
    """The espeak sentence as a 44.1 kHz stereo int16 WAV: resampling and down-mixing on the way in."""
    from aigc_demo.audio import resample

    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    audio = resample(speech_16k, 16000, 44100)
    soundfile.write(path, np.stack([audio, audio], axis=1), 44100, subtype="PCM_16")
    return str(path)


def read(path: str) -> tuple[np.ndarray, int]:
    audio, rate = soundfile.read(path, dtype="float32")
    return audio, rate


def test_vocode_api_rebuilds_with_griffin_lim_repeatably(client, speech_file, speech_16k):
    from gradio_client import handle_file

    first = client.predict(handle_file(speech_file), "griffin-lim", 0, 0, api_name="/vocode")
    audio, rate = read(first[0])
    assert rate == 16000 and abs(len(audio) - len(speech_16k)) < 16
    assert compare(speech_16k, audio)["stoi"] > 0.8  # Griffin-Lim keeps espeak intelligible
    again, _ = read(client.predict(handle_file(speech_file), "griffin-lim", 0, 0, api_name="/vocode")[0])
    assert np.array_equal(audio, again)
    assert "Resampled from 44100 Hz" in first[2]


def test_vocode_api_pitch_shift_raises_the_spectrum(client, speech_file):
    from gradio_client import handle_file

    def profile(path):  # the average log-mel spectrum of the whole clip
        return mel_spectrogram(read(path)[0]).mean(axis=1)[:, None]

    plain = client.predict(handle_file(speech_file), "griffin-lim", 0, 0, api_name="/vocode")[0]
    higher = client.predict(handle_file(speech_file), "griffin-lim", 7, 7, api_name="/vocode")[0]
    plain, higher = profile(plain), profile(higher)
    factors = np.linspace(0.8, 2.0, 49)
    misfit = [np.abs(stretch_bands(plain, f) - higher)[5:60].mean() for f in factors]  # about 130 Hz to 3.5 kHz
    assert 1.35 <= factors[int(np.argmin(misfit))] <= 1.65  # 7 semitones up is x1.5 in frequency


def test_neural_vocode_and_side_by_side_comparison(client, speech_file, speech_16k):
    from gradio_client import handle_file

    result = client.predict(handle_file(speech_file), "neural", 0, 0, api_name="/vocode")
    audio, rate = read(result[0])
    assert rate == 16000 and abs(len(audio) - len(speech_16k)) < 16 and np.isfinite(audio).all()
    assert result[3]["settings"]["mel_match_passes"] == 6  # the run card says how it was rebuilt
    again = client.predict(handle_file(speech_file), "neural", 0, 0, api_name="/vocode")
    assert np.array_equal(read(again[0])[0], audio)  # same input and settings, same audio
    mel, griffin, neural, table, note = client.predict(handle_file(speech_file), api_name="/compare_vocoders")
    rows = {r[0]: r for r in table["data"]}
    assert list(rows) == ["griffin-lim", "neural", "neural-raw"]
    assert all(0 <= r[2] <= 1 and r[4] > 0 for r in rows.values())  # STOI in range, a time for each
    assert rows["griffin-lim"][2] > rows["neural-raw"][2]  # an untrained network is less intelligible than GL
    assert rows["neural"][2] > rows["neural-raw"][2]  # mel matching gives even its noise the speech's envelope


def test_vocode_api_refuses_bad_audio_in_one_sentence(client, tmp_path):
    from gradio_client import handle_file

    silent, corrupt, short = tmp_path / "silent.wav", tmp_path / "corrupt.wav", tmp_path / "short.wav"
    soundfile.write(silent, np.zeros(16000, np.float32), 16000)
    corrupt.write_bytes(b"RIFF" + bytes(300))
    soundfile.write(short, harmonic_tone(seconds=0.05), 16000)
    for path, message in ((silent, "silent"), (corrupt, "could not be read as audio"), (short, "at least 0.1 s")):
        with pytest.raises(Exception, match=message):
            client.predict(handle_file(str(path)), "griffin-lim", 0, 0, api_name="/vocode")
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict(handle_file(str(silent)), "wavenet", 0, 0, api_name="/vocode")


def test_pipeline_refuses_unknown_vocoders_and_reports_time(speech_16k):
    from aigc_demo.errors import UserInputError

    with pytest.raises(UserInputError, match="Unknown vocoder"):
        VocoderPipeline()(speech_16k, "wavenet")
    mel, audio, seconds = VocoderPipeline()(speech_16k, "griffin-lim")
    assert mel.shape[0] == 80 and len(audio) == len(speech_16k) and seconds > 0


def test_alsa_words_are_one_human_speaker(tmp_path, monkeypatch):
    """The evaluation's real speech: alsa-utils' spoken words count as one speaker with a clip per word, at 16 kHz."""
    from aigc_demo.data import speech

    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(48000) / 48000)
    for word in ("Front_Left", "Noise"):
        soundfile.write(tmp_path / f"{word}.wav", tone, 48000)
    monkeypatch.setattr(speech, "ALSA_SOUNDS", tmp_path)
    monkeypatch.setattr(speech, "ALSA_WORDS", ("Front_Left", "Front_Right"))  # Front_Right missing here: skipped
    monkeypatch.setattr(speech, "HUMAN_CLIPS", ())
    clips = speech.human_clips()
    assert list(clips) == ["human:alsa-utils"] and len(clips["human:alsa-utils"]) == 1  # Noise.wav is not a word
    assert len(clips["human:alsa-utils"][0]) == speech.SAMPLE_RATE and np.abs(clips["human:alsa-utils"][0]).max() > 0.9


def fake_recordings(prefix, languages=("en", "it", "sr@latin"), rate=22050):
    """A klettres-like and a ktuberling-like tree of short harmonic 'words' (ogg), padded with silence."""
    t = np.arange(int(0.6 * rate)) / rate
    word = np.concatenate([np.zeros(rate // 5), 0.5 * np.sin(2 * np.pi * 180 * t) * np.hanning(len(t)),
                           np.zeros(rate // 5)]).astype(np.float32)
    for language in languages:
        for folder in (f"usr/share/klettres/{language}/alpha", f"usr/share/ktuberling/sounds/{language}"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
            for index in range(3):
                soundfile.write(prefix / folder / f"w{index}.ogg", word, rate)
    return prefix


def test_recorded_speakers_are_found_split_and_trimmed(tmp_path):
    from aigc_demo.data import recorded_speech

    prefix = fake_recordings(tmp_path / "root")
    speakers = recorded_speech.find_speakers(prefix)
    assert set(speakers) == {"klettres:en", "klettres:it", "ktuberling:en", "ktuberling:it"}  # no sr@latin copy
    clip = recorded_speech.read_clip(speakers["klettres:en"][0])
    assert 0.5 < len(clip) / 16000 < 0.75 and np.abs(clip).max() == pytest.approx(0.95, abs=0.01)  # silence trimmed
    counts = recorded_speech.build(tmp_path / "cache", prefix, log=lambda *a: None)
    assert counts == {"train": 9, "validation": 3}  # klettres:it is a validation speaker
    assert list(recorded_speech.recorded_clips(tmp_path / "cache", "validation")) == ["klettres_it"]
    assert recorded_speech.find_speakers(tmp_path / "nothing") == {}


def test_fish_fillets_lines_are_grouped_by_language_and_character(tmp_path):
    from aigc_demo.data.recorded_speech import find_speakers

    root = tmp_path / "usr/share/games/fillets-ng/sound"
    for name in ("city/cs/vit-m-hlava", "city/cs/vit-v-proc", "rush/cs/m-silou", "city/nl/vit-m-hlava",
                 "music/kufrik", "gods/cs/b1-1"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / f"{name}.ogg").write_bytes(b"")
    speakers = {k: [p.stem for p in v] for k, v in find_speakers(tmp_path).items()}
    assert speakers == {"fillets:cs:b1": ["b1-1"], "fillets:cs:m": ["vit-m-hlava", "m-silou"],
                        "fillets:cs:v": ["vit-v-proc"], "fillets:nl:m": ["vit-m-hlava"]}  # no music


def test_the_card_counts_recorded_speakers_by_kind():
    from aigc_demo.eval.vocoder import recorded_note, training_speech_limit

    data = {"recorded_speech": {"source": "Debian", "license": "GPL-2", "validation_speakers": ["fillets_cs_hs"],
                                "train_speakers": ["fillets_cs_m", "fillets_nl_v", "klettres_en_GB"]}}
    note = recorded_note(data)
    assert "acted dialogue sentences (Fish Fillets NG) from 2 speakers, letters and syllables from 1 speaker" in note
    assert "also a character" in note and "acted dialogue" in training_speech_limit(data)
    assert recorded_note({}) == "" and "only on synthetic speech" in training_speech_limit({})


def test_a_sitting_with_recorded_speech_validates_on_its_speakers(tiny_corpus_voices, tmp_path, monkeypatch):
    from aigc_demo.data.recorded_speech import recorded_clips
    from aigc_demo.eval.vocoder import recorded_note
    from aigc_demo.train.vocoder import main as train, training_audio

    monkeypatch.setenv("AIGC_DATA_CACHE", str(tmp_path / "cache"))
    prefix = fake_recordings(tmp_path / "root")
    out, state = tmp_path / "vocoder", tmp_path / "state"
    train(["--smoke", "--recorded-speech", str(prefix), "--out", str(out), "--state-dir", str(state)])
    record = json.loads((out / "training.json").read_text())
    assert "validation_recorded" in record["best"] and "validation_recorded" in record["griffin_lim_baseline"]
    assert record["griffin_lim_baseline"]["validation_recorded"]["voices"] == ["klettres_it"]
    # A new validation speaker in a later sitting: Griffin-Lim's figure is measured again on the new set.
    validation = Path(record["data"]["cache"]) / "recorded_validation"
    shutil.copy(validation / "klettres_it.npz", validation / "fillets_cs_hs.npz")
    train(["--smoke", "--resume", "--max-steps", "6", "--recorded-speech", str(prefix), "--out", str(out),
           "--state-dir", str(state)])
    progress = json.loads((state / "state.json").read_text())["extra"]
    assert progress["baseline"]["validation_recorded"]["voices"] == ["fillets_cs_hs", "klettres_it"]
    # ... and the checkpoint is chosen afresh on the new set: the sitting's first point is the new bar.
    assert progress["best_voices"]["validation_recorded"] == ["fillets_cs_hs", "klettres_it"]
    assert progress["best"]["step"] > 4
    assert record["data"]["recorded_speech"]["train_speakers"] == ["klettres_en", "ktuberling_en", "ktuberling_it"]
    assert "letters and syllables from 1 speaker, words from 2 speakers" in recorded_note(record["data"])
    cache = Path(record["data"]["cache"])
    assert len(training_audio(cache, recorded=True)) - len(training_audio(cache)) == 9 * len(
        recorded_clips(cache, "train")["klettres_en"][0])
