"""Music: the chorale encoding, the LSTM, training and eval, MIDI and audio rendering, and /generate_music."""
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch
from gradio_client import Client

from aigc_demo.data import chorales
from aigc_demo.eval.music_stats import audio_pitch_check, histograms, total_variation
from aigc_demo.models.music import ChoraleLSTM, sequence_inputs
from aigc_demo.pipelines import synth
from aigc_demo.pipelines.midi import Note, grid_notes, midi_bytes
from aigc_demo.pipelines.music import sample_grid
from aigc_demo.seeding import torch_generator
from tests.conftest import CHROMIUM, error_toasts, served_app


needs_fluidsynth = pytest.mark.skipif(not synth.fluidsynth_available(),
                                      reason="Debian fluidsynth + timgm6mb-soundfont not installed")
CHORDS = ([72, 67, 64, 48], [72, 69, 65, 53], [71, 67, 62, 55], [72, 67, 64, 48])  # I IV V I in C, SATB


def synthetic_chorale(key: int, rng: np.random.Generator) -> chorales.Chorale:
    """Six bars of I-IV-V-I half-note chords in `key` (semitones above C), with a few moving quarter notes."""
    frames = []
    for bar in range(6):
        for chord in CHORDS:
            pitches = [p + key for p in chord]
            for eighth in range(2):
                moving = eighth == 0 or rng.random() < 0.3
                frames.append([chorales.pitch_token(p + (2 if not eighth and rng.random() < 0.1 else 0))
                               if moving else chorales.HOLD for p in pitches])
    return chorales.Chorale(f"synthetic in {key}", np.array(frames, dtype=np.int16), "4/4", 0)


@pytest.fixture(scope="session")
def chorale_cache(tmp_path_factory):
    """A cache of 20 synthetic chorales in the real cache format; AIGC_DATA_CACHE points at it."""
    folder = tmp_path_factory.mktemp("chorale-cache")
    rng = np.random.default_rng(0)
    chorales.save_cache([synthetic_chorale(k % 7 - 3, rng) for k in range(20)], folder / chorales.CACHE_NAME)
    os.environ["AIGC_DATA_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def music_checkpoint(tiny_checkpoints, chorale_cache) -> Path:
    """checkpoints/music-bach trained for a few smoke steps by the real training command."""
    from aigc_demo.train.music import main as train

    out = tiny_checkpoints / "music-bach"
    train(["--smoke", "--out", str(out), "--state-dir", str(tiny_checkpoints.parent / "music-state"),
           "--max-steps", "30", "--eval-every", "10", "--save-every", "10", "--window-bars", "2"])
    return out


# ----------------------------------------------------------------------------- data and MIDI
def test_a_real_chorale_encodes_and_round_trips_through_midi(tmp_path):
    import music21

    score = music21.corpus.parse("bach/bwv66.6")
    chorale = chorales.encode_score(score)
    assert chorale.tokens.shape[1] == 4 and chorale.metre == "4/4"
    soprano = [n for n in score.parts[0].flatten().notes if not (n.tie and n.tie.type != "start")]
    onsets = [t for t in chorale.tokens[:, 0] if t > chorales.HOLD]
    assert [chorales.token_pitch(t) for t in onsets[:8]] == [n.pitch.midi for n in soprano[:8]]
    notes = grid_notes(chorale.tokens)
    path = tmp_path / "bwv66.6.mid"
    path.write_bytes(midi_bytes(notes, program=19))
    parsed = music21.converter.parse(path)
    assert len(parsed.parts) == 4
    back = sorted((int(n.offset * 2), n.pitch.midi) for part in parsed.parts for n in part.flatten().notes
                  if not (n.tie and n.tie.type != "start"))
    assert back == sorted((n.start, n.pitch) for n in notes)


def test_transposition_stays_in_range_and_split_is_fixed(chorale_cache):
    chorale = chorales.load("train")[0]
    low, high = chorales.transposition_range(chorale.tokens)
    for shift in (low, high):
        moved = chorales.transpose(chorale.tokens, shift)
        assert moved[moved > chorales.HOLD].max() <= chorales.HIGHEST_PITCH + chorales.PITCH_OFFSET
        assert moved[moved > chorales.HOLD].min() >= chorales.LOWEST_PITCH + chorales.PITCH_OFFSET
        assert ((moved <= chorales.HOLD) == (chorale.tokens <= chorales.HOLD)).all()
    assert len(chorales.load("heldout")) == 2 and len(chorales.load("train")) == 18


def test_grid_notes_reads_holds_and_rests():
    frames = np.full((4, 4), chorales.REST)
    frames[:, 0] = [chorales.pitch_token(60), chorales.HOLD, chorales.pitch_token(62), chorales.REST]
    assert grid_notes(frames) == [Note(0, 60, 0, 2), Note(0, 62, 2, 3)]


# ----------------------------------------------------------------------------- model and sampling
def test_step_matches_the_batched_forward():
    torch.manual_seed(0)  # test set-up
    model = ChoraleLSTM(d_embed=8, d_hidden=16, n_layers=2).eval()
    frames, beats = torch.randint(3, 60, (1, 3, 4)), torch.randint(0, 8, (1, 3))
    inputs, _, voices, next_beats = sequence_inputs(frames, beats)
    with torch.no_grad():
        batched, _ = model(inputs, voices, next_beats)
        state, stepped = None, []
        for i in range(inputs.shape[1]):
            logits, state = model.step(int(inputs[0, i]), int(voices[0, i]), int(next_beats[0, i]), state)
            stepped.append(logits)
    assert torch.allclose(torch.stack(stepped), batched[0], atol=1e-5)


def test_sampling_is_seeded_and_well_formed():
    torch.manual_seed(0)  # test set-up
    model = ChoraleLSTM(d_embed=8, d_hidden=16, n_layers=1).eval()
    first = sample_grid(model, 2, 1.0, torch_generator(5))
    assert first.shape == (16, 4)
    assert (first == sample_grid(model, 2, 1.0, torch_generator(5))).all()
    assert not (first == sample_grid(model, 2, 1.0, torch_generator(6))).all()
    assert (first != chorales.BOS).all() and (first[0] != chorales.HOLD).all()
    after_rest = first[1:][first[:-1] == chorales.REST]
    assert (after_rest != chorales.HOLD).all()
    assert sample_grid(model, 1, 1.0, torch_generator(0), metre="3/4").shape == (6, 4)


# ----------------------------------------------------------------------------- audio
def scale_notes() -> list[Note]:
    return [Note(0, pitch, 2 * i, 2 * i + 2) for i, pitch in enumerate([60, 64, 67, 72, 67, 64, 60])]


@pytest.mark.parametrize("renderer", ["builtin", pytest.param("fluidsynth", marks=needs_fluidsynth)])
def test_rendered_audio_sounds_the_midi_pitches(renderer, monkeypatch):
    if renderer == "builtin":
        monkeypatch.setenv("AIGC_MUSIC_RENDERER", "builtin")
    notes = scale_notes()
    audio, used = synth.render(notes, midi_bytes(notes, 19), 0.375, 19)
    assert ("fluidsynth" in used) == (renderer == "fluidsynth")
    check = audio_pitch_check(audio, synth.SAMPLE_RATE, notes)
    assert check["duration_seconds"] >= 14 * 0.375 and check["rms_dbfs"] > -30
    assert check["chroma_correlation"] > 0.8
    shifted = [Note(n.voice, n.pitch + 1, n.start, n.end) for n in notes]  # a semitone off: must not match
    assert audio_pitch_check(audio, synth.SAMPLE_RATE, shifted)["chroma_correlation"] < 0.3
    again, _ = synth.render(notes, midi_bytes(notes, 19), 0.375, 19)
    assert np.array_equal(audio, again)


def test_histogram_distances_tell_bach_from_noise(chorale_cache):
    real = [c.tokens for c in chorales.load("all")]
    reference = histograms(real[:10])
    rng = np.random.default_rng(0)
    noise = [rng.integers(chorales.pitch_token(40), chorales.pitch_token(80), size=(48, 4)) for _ in range(10)]
    ours, theirs = histograms(real[10:]), histograms(noise)
    for name in reference:
        assert total_variation(ours[name], reference[name]) < total_variation(theirs[name], reference[name])


# ----------------------------------------------------------------------------- training and eval
def test_training_resumes_and_eval_writes_a_card(music_checkpoint, tmp_path):
    import json

    from aigc_demo.eval.__main__ import main as evaluate
    from aigc_demo.pipelines.music import load_music_model

    record = json.loads((music_checkpoint / "training.json").read_text())
    assert record["family"] == "music" and record["learning_curve"][-1]["step"] == 30
    state = music_checkpoint.parent.parent / "music-state"
    from aigc_demo.train.music import main as train

    out = tmp_path / "resumed"
    train(["--smoke", "--out", str(out), "--state-dir", str(state), "--resume", "--max-steps", "32",
           "--eval-every", "2", "--window-bars", "2"])
    assert json.loads((out / "training.json").read_text())["learning_curve"][-1]["step"] == 32
    folder = tmp_path / "card"
    shutil.copytree(music_checkpoint, folder)
    result = evaluate([str(folder)])
    metrics = result["metrics"]
    assert metrics["heldout_nll_per_token"] < np.log(chorales.VOCAB_SIZE)  # learned something in 30 steps
    assert set(metrics["distances"]) >= {"model_t1.0", "unigram", "train_chorales"}
    card = (folder / "README.md").read_text()
    assert str(metrics["heldout_nll_per_token"]) in card and (folder / "samples.png").is_file()
    assert load_music_model(folder).lstm.hidden_size == 16


# ----------------------------------------------------------------------------- the app
@pytest.fixture(scope="module")
def app_url(music_checkpoint):
    with served_app() as url:
        yield url


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def midi_notes(path) -> list[Note]:
    import music21

    notes = []
    for voice, part in enumerate(music21.converter.parse(path).parts):
        for n in part.flatten().notes:
            start = int(round(float(n.offset) * 2))
            notes.append(Note(voice, n.pitch.midi, start, start + max(1, int(round(float(n.quarterLength) * 2)))))
    return notes


def test_generate_music_api_is_seeded_and_its_audio_matches_its_midi(client):
    first = client.predict(seed=11, temperature=1.0, length=4, api_name="/generate_music")
    again = client.predict(seed=11, temperature=1.0, length=4, api_name="/generate_music")
    other = client.predict(seed=12, temperature=1.0, length=4, api_name="/generate_music")
    assert Path(first[0]).read_bytes() == Path(again[0]).read_bytes()
    assert Path(first[0]).read_bytes() != Path(other[0]).read_bytes()
    audio, rate = soundfile.read(first[0])
    card = first[5]
    assert card["seed"] == 11 and card["settings"]["bars"] == 4 and card["task"] == "generate_music"
    assert len(audio) / rate >= 4 * 4 * 60 / 80 * 0.9  # four bars at 80 bpm
    check = audio_pitch_check(audio.astype(np.float32), rate, midi_notes(first[1]))
    assert check["rms_dbfs"] > -35 and check["chroma_correlation"] > 0.6


def test_out_of_range_settings_get_one_sentence_and_nonsense_is_refused(client):
    result = client.predict(seed=1, temperature=0.1, length=1, api_name="/generate_music")  # the sliders' ends
    assert result[5]["settings"]["temperature"] == 0.1 and result[5]["settings"]["bars"] == 1
    with pytest.raises(Exception, match="less than minimum value 0.1"):  # Gradio's slider check, before ours
        client.predict(seed=1, temperature=0, api_name="/generate_music")
    with pytest.raises(Exception, match="greater than maximum value 64"):
        client.predict(seed=1, length=1000, api_name="/generate_music")
    with pytest.raises(Exception, match="banjo is not in the list of choices"):
        client.predict(seed=1, instrument="banjo", api_name="/generate_music")


def test_python_callers_get_clamped_settings(music_checkpoint):
    from aigc_demo.ui.music import generate_music

    with pytest.warns(UserWarning, match="Length 1000 is outside"):  # gr.Warning outside a request
        _, _, _, note, seed, card, _ = generate_music(3, 0, 1000, "flute", "3/4", 500)
    assert card["settings"] | {"temperature": 0.1, "bars": 64, "tempo_bpm": 160.0} == card["settings"]
    assert "Length 1000 is outside 1 to 64" in note and seed == 3
    with pytest.raises(Exception, match="Expected a number"):
        generate_music(1, "hot")
    with pytest.raises(Exception, match="Pick an instrument"):
        generate_music(1, 1.0, 4, "banjo")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_music_tab_in_a_browser_gives_an_audio_player_and_piano_roll(app_url, browser, tmp_path):
    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.get_by_role("tab", name="Audio").first.click()
    page.get_by_role("tab", name="Music").first.click()
    page.locator("#music-generate").wait_for(timeout=30_000)
    assert page.locator("#music-audio a[download$='.wav']").count() == 0  # nothing before Generate
    page.locator("#music-generate").click()
    page.wait_for_function("() => document.querySelectorAll('#music-audio audio').length >= 1 && "
                           "document.querySelector(\"#music-audio a[download$='.wav']\") !== null", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('#music-roll img').length >= 1", timeout=60_000)
    assert error_toasts(page) == 0
    page.screenshot(path=str(tmp_path / "music.png"), full_page=True)
    page.close()


def test_benchmark_rows_time_sampling_and_every_renderer(music_checkpoint):
    from aigc_demo.bench.music import music_rows

    rows = music_rows(repeats=1, bars=(2,))
    tasks = [row["task"] for row in rows]
    assert tasks[0] == "music: sampling 2 bars (LSTM)" and any("built-in" in task for task in tasks)
    assert len(rows) == 3 if synth.fluidsynth_available() else 2
    for row in rows:
        assert row["audio_seconds"] >= 2 * 4 * 60 / 80 * 0.9 and row["rtf"] == row["seconds"] / row["audio_seconds"]
