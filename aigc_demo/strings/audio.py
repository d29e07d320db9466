"""The Audio tab's strings (speech, vocoder) in English and Chinese; the music section's are in music.py."""
EN: dict[str, str] = {
    "audio.speech_tab": "Text to speech", "audio.vocoder_tab": "Vocoder lab", "audio.music_tab": "Music",
}
ZH: dict[str, str] = {
    "audio.speech_tab": "文本转语音", "audio.vocoder_tab": "声码器实验室", "audio.music_tab": "音乐",
}
