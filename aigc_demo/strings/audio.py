"""The Audio tab's strings (speech, vocoder) in English and Chinese; the music section's are in music.py."""
EN: dict[str, str] = {
    "audio.speech_tab": "Text to speech", "audio.vocoder_tab": "Vocoder lab", "audio.music_tab": "Music",
    "speech.intro": ("Type English text and pick a voice. **Hibari** is a small neural TTS whose weights ship in its "
                     "Python package; eSpeak NG, Flite and Festival are classic synthesisers; SpeechT5 and MMS-TTS "
                     "come from the Hugging Face hub when the server can reach it. Long text is spoken sentence by "
                     "sentence. Same text, voice and speed give the same audio."),
    "speech.text": "Text", "speech.placeholder": "It is a truth universally acknowledged...",
    "speech.voice": "Voice", "speech.speed": "Speed (1 = normal)", "speech.speak": "Speak",
    "speech.audio": "Speech", "speech.examples": "Examples",
    "vocoder.intro": ("A **vocoder** turns a mel spectrogram (what speech models predict) back into a waveform. "
                      "Give it speech, see its mel spectrogram (SpeechT5's features: 16 kHz, 80 bands), and hear "
                      "it rebuilt by **Griffin-Lim** (32 iterations of phase guessing) and by the **neural vocoder "
                      "trained here** (Vocos-style, then six mel-matching passes; `neural-raw` in the table is the network "
                      "alone), scored against the original."),
    "vocoder.input": "Speech (upload or record; up to 60 s)", "vocoder.from_text": "Or make speech from text",
    "vocoder.tts_text": "Text", "vocoder.tts_voice": "Voice", "vocoder.tts_go": "Speak into the lab",
    "vocoder.compare": "Rebuild with both vocoders", "vocoder.mel": "Mel spectrogram (log10, 80 bands)",
    "vocoder.griffin_lim": "Griffin-Lim (32 iterations)", "vocoder.neural": "Neural vocoder (trained here)",
    "vocoder.scores": "Scores against the original",
    "vocoder.convert_heading": ("### Voice conversion through the mel spectrogram\n"
                                "Pitch moves the harmonics; formants move the spectral envelope (vocal-tract size). "
                                "Moving only pitch keeps the voice's timbre; moving both together is a plain "
                                "pitch shift."),
    "vocoder.vocoder": "Vocoder", "vocoder.pitch": "Pitch shift (semitones)",
    "vocoder.formant": "Formant shift (semitones)", "vocoder.convert": "Convert",
    "vocoder.converted": "Converted speech", "vocoder.examples": "Examples",
}
ZH: dict[str, str] = {
    "audio.speech_tab": "文本转语音", "audio.vocoder_tab": "声码器实验室", "audio.music_tab": "音乐",
    "speech.intro": ("输入英文文本并选择一个声音。**Hibari** 是一个小型神经网络 TTS，权重随其 Python 包一起发布；"
                     "eSpeak NG、Flite 和 Festival 是经典合成器；服务器能访问 Hugging Face Hub 时还可使用 SpeechT5 "
                     "和 MMS-TTS。长文本按句合成。相同的文本、声音和语速得到相同的音频。"),
    "speech.text": "文本", "speech.placeholder": "It is a truth universally acknowledged...",
    "speech.voice": "声音", "speech.speed": "语速（1 = 正常）", "speech.speak": "朗读",
    "speech.audio": "语音", "speech.examples": "示例",
    "vocoder.intro": ("**声码器**把梅尔频谱（语音模型预测的东西）还原成波形。上传一段语音，查看它的梅尔频谱"
                      "（SpeechT5 的特征：16 kHz，80 个频带），并对比 **Griffin-Lim**（32 次相位迭代）和**本地训练的"
                      "神经声码器**（Vocos 结构，之后做六次梅尔匹配；表中的 `neural-raw` 是网络的原始输出）的重建效果，以及它们与原声"
                      "的客观评分。"),
    "vocoder.input": "语音（上传或录音；最长 60 秒）", "vocoder.from_text": "或由文本合成语音",
    "vocoder.tts_text": "文本", "vocoder.tts_voice": "声音", "vocoder.tts_go": "合成并送入实验室",
    "vocoder.compare": "用两种声码器重建", "vocoder.mel": "梅尔频谱（log10，80 个频带）",
    "vocoder.griffin_lim": "Griffin-Lim（32 次迭代）", "vocoder.neural": "神经声码器（本地训练）",
    "vocoder.scores": "与原声对比的评分",
    "vocoder.convert_heading": ("### 通过梅尔频谱进行变声\n"
                                "音高移动谐波；共振峰移动频谱包络（声道大小）。只改音高会保留音色；"
                                "两者一起移动就是普通的变调。"),
    "vocoder.vocoder": "声码器", "vocoder.pitch": "音高偏移（半音）",
    "vocoder.formant": "共振峰偏移（半音）", "vocoder.convert": "转换",
    "vocoder.converted": "转换后的语音", "vocoder.examples": "示例",
}
