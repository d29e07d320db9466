"""Text to speech and user audio: text checks, engines measured (duration, loudness, spectrum, speed,
determinism), input audio of every shape, /text_to_speech through the served app, and a browser check."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from aigc_demo.audio import MAX_SECONDS, describe, read_user_audio, to_gradio
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.pipelines import speech
from aigc_demo.pipelines.speech import TextToSpeechPipeline, split_sentences, validate_text
from tests.conftest import CHROMIUM, error_toasts, served_app

HAS_ESPEAK = shutil.which("espeak-ng") is not None
needs_espeak = pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng is not installed (packages.txt lists it)")
needs_hibari = pytest.mark.skipif(not speech.engine_available(speech.VOICES["hibari-heart"]),
                                  reason="hibari-tts is not installed")


def spectral_centroid(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio))
    freqs = np.fft.rfftfreq(len(audio), 1 / rate)
    return float((spectrum * freqs).sum() / spectrum.sum())


# ----------------------------------------------------------------------------- text


@pytest.mark.parametrize("text, message", [("", "Type some text"), ("   \n ", "Type some text"),
                                           ("a", "One character"), ("?!... --", "only punctuation"),
                                           ("x" * 1001, "limit is 1000")])
def test_unusable_text_gets_one_clear_sentence(text, message):
    with pytest.raises(UserInputError, match=message):
        validate_text(text)


def test_long_text_is_split_into_sentences():
    assert split_sentences("One here. Two there! Three? ... Four; five") == ["One here.", "Two there!", "Three?",
                                                                              "Four;", "five"]


# ----------------------------------------------------------------------------- engines


@needs_espeak
def test_espeak_speech_is_speech_and_speed_changes_its_length():
    tts = TextToSpeechPipeline()
    audio, rate, sentences = tts("The quick brown fox jumps over the lazy dog.", "espeak-en-us", 1.0)
    facts = describe(audio, rate)
    assert sentences == 1 and 1.5 < facts["seconds"] < 6 and facts["rms_dbfs"] > -35
    assert 300 < spectral_centroid(audio, rate) < 4000  # speech, not silence, hum or hiss
    fast, _, _ = tts("The quick brown fox jumps over the lazy dog.", "espeak-en-us", 2.0)
    assert len(fast) < 0.7 * len(audio)


@needs_espeak
def test_several_sentences_are_joined_with_pauses():
    tts = TextToSpeechPipeline()
    one, rate, _ = tts("The first sentence is here.", "espeak-en-us", 1.0)
    two, _, count = tts("The first sentence is here. The second one follows!", "espeak-en-us", 1.0)
    assert count == 2 and len(two) > 1.6 * len(one)
    assert np.abs(two).max() > 0.05


@needs_hibari
def test_hibari_is_deterministic_24khz_speech():
    tts = TextToSpeechPipeline()
    first, rate, _ = tts("Hello there, how are you?", "hibari-heart", 1.0)
    again, _, _ = tts("Hello there, how are you?", "hibari-heart", 1.0)
    assert rate == 24000 and np.array_equal(first, again)
    assert describe(first, rate)["rms_dbfs"] > -40 and 0.8 < len(first) / rate < 4


def test_default_voice_falls_back_to_espeak_without_hibari(monkeypatch):
    real = speech.engine_available
    monkeypatch.setattr(speech, "engine_available", lambda v: v.engine != "hibari" and real(v))
    expected = "espeak-en-us" if HAS_ESPEAK else None
    if expected:
        assert speech.default_voice() == expected
    with pytest.raises(ModelUnavailableError, match="not installed"):
        speech.synthesize("Hello there.", "hibari-heart")


def test_unreachable_hub_voice_fails_fast_with_a_message(monkeypatch):
    import aigc_demo.hub as hub

    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=2.0: False)
    speech._hub_model.cache_clear()
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError, match="cannot be reached"):
        speech.synthesize("Hello there.", "mms-tts-eng")
    assert time.perf_counter() - start < 30


# ----------------------------------------------------------------------------- user audio


def tone(seconds: float, rate: int, freq: float = 220.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_int16_stereo_44k_becomes_float_mono_16k():
    left = tone(1.0, 44100)
    stereo = (np.stack([left, left * 0.5], axis=1) * 32767).astype(np.int16)
    clip = read_user_audio((44100, stereo), 16000)
    assert clip.rate == 16000 and clip.audio.dtype == np.float32 and abs(len(clip.audio) - 16000) < 10
    assert abs(np.abs(clip.audio).max() - 0.375) < 0.02  # mean of 0.5 and 0.25
    assert any("Resampled" in n for n in clip.notes)


@pytest.mark.parametrize("data", [
    (tone(0.5, 16000) * 2**31).astype(np.int32),
    ((tone(0.5, 16000) + 1) * 127.5).astype(np.uint8),
    tone(0.5, 16000) * 32767,  # int16 values handed over as floats
    tone(0.5, 16000).T[None, :].repeat(2, axis=0),  # channels first
])
def test_sample_formats_are_scaled_to_full_scale(data):
    clip = read_user_audio((16000, data), 16000)
    assert 0.45 < np.abs(clip.audio).max() <= 1.0 and len(clip.audio) == 8000


def test_short_silent_and_long_clips(tmp_path):
    with pytest.raises(UserInputError, match="at least 0.1 s"):
        read_user_audio((16000, tone(0.05, 16000)))
    with pytest.raises(UserInputError, match="silent"):
        read_user_audio((16000, np.zeros(16000, np.float32)))
    long = read_user_audio((8000, tone(MAX_SECONDS + 5, 8000)), 8000)
    assert len(long.audio) == MAX_SECONDS * 8000 and "first 60 s" in long.notes[0]


def test_files_corrupt_files_and_non_audio(tmp_path):
    good = tmp_path / "good.flac"
    soundfile.write(good, tone(0.5, 22050), 22050)
    assert len(read_user_audio(str(good), 16000).audio) == 8000
    corrupt = tmp_path / "broken.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(200)))
    text = tmp_path / "notes.txt"
    text.write_text("not audio at all")
    for path in (corrupt, text):
        with pytest.raises(UserInputError, match="could not be read as audio"):
            read_user_audio(str(path))
    with pytest.raises(UserInputError, match="No audio"):
        read_user_audio(None)


def test_to_gradio_is_int16_full_scale():
    rate, data = to_gradio(np.array([0.0, 1.5, -1.0, np.nan], np.float32), 16000)
    assert rate == 16000 and data.dtype == np.int16 and list(data) == [0, 32767, -32767, 0]


# ----------------------------------------------------------------------------- the served app


@pytest.fixture(scope="module")
def app_url(tiny_checkpoints):
    with served_app() as url:
        yield url


@needs_espeak
def test_text_to_speech_api_returns_measurable_speech(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    first = client.predict("Speech through the API works.", "espeak-en-us", 1.0, api_name="/text_to_speech")
    audio, rate = soundfile.read(first[0])
    assert rate == 22050 and 1.0 < len(audio) / rate < 5 and describe(audio, rate)["rms_dbfs"] > -35
    assert "sentence" in first[1]
    again = client.predict("Speech through the API works.", "espeak-en-us", 1.0, api_name="/text_to_speech")
    assert np.array_equal(audio, soundfile.read(again[0])[0])
    fast = client.predict("Speech through the API works.", "espeak-en-us", 2.0, api_name="/text_to_speech")
    assert len(soundfile.read(fast[0])[0]) < 0.7 * len(audio)
    with pytest.raises(Exception, match="greater than maximum"):  # the slider's bounds hold over the API too
        client.predict("Speech through the API works.", "espeak-en-us", 5.0, api_name="/text_to_speech")


def test_text_to_speech_api_refuses_bad_input_in_one_sentence(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    # hibari ships in the wheel, so this runs on a machine without Debian's espeak-ng too.
    for text, voice, message in (("", "hibari-heart", "Type some text"), ("...", "hibari-heart", "punctuation"),
                                 ("Hello there.", "no-such-voice", "not in the list of choices")):
        with pytest.raises(Exception, match=message):
            client.predict(text, voice, 1.0, api_name="/text_to_speech")




@pytest.mark.skipif(not Path(CHROMIUM).exists() or not HAS_ESPEAK, reason="needs Debian's chromium and espeak-ng")
def test_browser_speech_section_plays_speech(app_url, browser, tmp_path):
    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.get_by_role("tab", name="Audio").first.click()
    page.locator("#speech-text textarea").fill("A browser asked for this sentence.")
    page.locator("#speech-voice input").click()
    page.get_by_role("option", name="eSpeak NG en-us (formant synthesis)").click()
    page.locator("#speech-speak").click()
    page.locator("#speech-note").get_by_text("real-time factor").wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelector('#speech-audio audio, #speech-audio .waveform-container,"
                           " #speech-audio [data-testid=\"waveform-controls\"]') !== null", timeout=30_000)
    assert error_toasts(page) == 0
    page.screenshot(path=str(tmp_path / "speech.png"), full_page=True)
    page.close()
