"""Notes <-> the SATB token grid, and notes -> a Standard MIDI File (format 1), written directly.

A hand-written writer instead of music21's: it is a few lines, has no start-up cost (importing music21
takes seconds) and writes the same bytes for the same notes, so same seed and settings give the same file.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from aigc_demo.data import chorales

TICKS_PER_QUARTER = 480
VOICE_NAMES = ("Soprano", "Alto", "Tenor", "Bass")
VELOCITY = 80


@dataclass(frozen=True)
class Note:
    voice: int  # 0 soprano .. 3 bass
    pitch: int  # MIDI
    start: int  # in grid frames
    end: int  # exclusive, in grid frames


def grid_notes(frames: np.ndarray) -> list[Note]:
    """Token grid [F, 4] -> notes: a note token starts a note, HOLD extends it, REST or the next note ends it."""
    notes = []
    for voice in range(frames.shape[1]):
        pitch, start = None, 0
        for frame, token in enumerate(list(frames[:, voice]) + [chorales.REST]):
            if token == chorales.HOLD and pitch is not None:
                continue
            if pitch is not None:
                notes.append(Note(voice, pitch, start, frame))
            pitch, start = chorales.token_pitch(token), frame
    return sorted(notes, key=lambda n: (n.start, n.voice))


def variable_length(value: int) -> bytes:
    """MIDI's variable-length quantity: 7 bits per byte, high bit set on all but the last."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def track_chunk(events: list[tuple[int, bytes]]) -> bytes:
    """(absolute tick, event bytes) -> an MTrk chunk with delta times and an end-of-track event."""
    body, now = b"", 0
    for tick, event in sorted(events, key=lambda e: (e[0], e[1][0] & 0xF0 != 0x80)):  # note-offs before note-ons
        body += variable_length(tick - now) + event
        now = tick
    body += b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def conductor_track(bpm: float, beats_per_bar: int) -> bytes:
    tempo = round(60_000_000 / bpm)
    return track_chunk([(0, b"\xff\x51\x03" + tempo.to_bytes(3, "big")),
                        (0, b"\xff\x58\x04" + bytes([beats_per_bar, 2, 24, 8]))])


def voice_track(notes: list[Note], voice: int, program: int, ticks_per_frame: int) -> bytes:
    """One voice on its own channel (0-3), all four with the same General MIDI program."""
    name = VOICE_NAMES[voice].encode()
    events = [(0, b"\xff\x03" + variable_length(len(name)) + name), (0, bytes([0xC0 | voice, program]))]
    for note in notes:
        if note.voice == voice:
            events.append((note.start * ticks_per_frame, bytes([0x90 | voice, note.pitch, VELOCITY])))
            events.append((note.end * ticks_per_frame, bytes([0x80 | voice, note.pitch, 0])))
    return track_chunk(events)


def midi_bytes(notes: list[Note], program: int = 0, bpm: float = 80.0, beats_per_bar: int = 4,
               frames_per_quarter: int = chorales.FRAMES_PER_QUARTER) -> bytes:
    """A format-1 Standard MIDI File: a conductor track (tempo, metre), then one track per voice."""
    ticks_per_frame = TICKS_PER_QUARTER // frames_per_quarter
    tracks = [conductor_track(bpm, beats_per_bar)] + [voice_track(notes, v, program, ticks_per_frame)
                                                      for v in range(len(VOICE_NAMES))]
    header = b"MThd" + struct.pack(">IHHH", 6, 1, len(tracks), TICKS_PER_QUARTER)
    return header + b"".join(tracks)
