"""The Audio tab's music section: UI strings in English and Chinese."""
EN: dict[str, str] = {
    "music.intro": ("Four-part chorales written by an LSTM trained here on Bach's chorales (music21 corpus): "
                    "pick a seed, a temperature and a length, then listen, look at the piano roll or download the MIDI."),
    "music.missing": "The music model (checkpoints/music-bach) is not here; train it with `python -m aigc_demo.train music`.",
    "music.temperature": "Temperature (low = safe and repetitive, high = adventurous)",
    "music.length": "Length (bars)",
    "music.instrument": "Instrument (General MIDI)",
    "music.metre": "Metre",
    "music.tempo": "Tempo (beats per minute)",
    "music.generate": "Generate",
    "music.audio": "Chorale",
    "music.midi": "MIDI file",
    "music.piano_roll": "Piano roll (soprano red, alto green, tenor blue, bass purple)",
    "music.examples": "Examples (seed, temperature, bars, instrument)",
    "music.how_extra": (
        "- **Encoding**: each eighth note is a frame of four tokens (soprano, alto, tenor, bass); a token is a new "
        "note at a MIDI pitch, HOLD (the note goes on) or REST. Bach's chorales become token sequences, transposed "
        "up to six semitones either way for more data.\n"
        "- **Model**: an LSTM reads the sequence one token at a time, told which voice and which beat of the bar "
        "comes next, and predicts the next token's probabilities. Sampling draws each token from them; temperature "
        "divides the scores first (below 1 sharpens, above 1 flattens). The seed fixes every draw, so the same "
        "seed and settings give the same piece.\n"
        "- **Sound**: the notes are written as a MIDI file and played by FluidSynth with a General MIDI soundfont "
        "(TimGM6mb) when both are installed, else by a small additive synthesiser built in; the run card says which.\n"
        "- **Measured**: the model card compares held-out likelihood with a unigram baseline, and the pitch-class, "
        "melodic-interval and harmony histograms of samples with Bach's."),
}
ZH: dict[str, str] = {
    "music.intro": ("由本地在巴赫众赞歌（music21 语料库）上训练的 LSTM 写出的四声部众赞歌：选择随机种子、温度和长度，"
                    "然后试听、查看钢琴卷帘或下载 MIDI。"),
    "music.missing": "音乐模型（checkpoints/music-bach）不存在；请用 `python -m aigc_demo.train music` 训练。",
    "music.temperature": "温度（低 = 稳妥而重复，高 = 大胆）",
    "music.length": "长度（小节）",
    "music.instrument": "乐器（General MIDI）",
    "music.metre": "拍号",
    "music.tempo": "速度（每分钟拍数）",
    "music.generate": "生成",
    "music.audio": "众赞歌",
    "music.midi": "MIDI 文件",
    "music.piano_roll": "钢琴卷帘（女高音红、女低音绿、男高音蓝、男低音紫）",
    "music.examples": "示例（种子、温度、小节数、乐器）",
    "music.how_extra": (
        "- **编码**：每个八分音符是一帧，含四个记号（女高音、女低音、男高音、男低音）；记号是某个 MIDI 音高上的新音符、"
        "HOLD（音符延续）或 REST（休止）。巴赫众赞歌被转成记号序列，并上下移调至多六个半音以扩充数据。\n"
        "- **模型**：LSTM 逐个读取记号，并被告知下一个记号属于哪个声部、位于小节的哪一拍，预测下一个记号的概率。"
        "采样从中抽取每个记号；温度先除以得分（小于 1 更集中，大于 1 更分散）。随机种子固定每次抽取，"
        "所以相同的种子和设置得到相同的乐曲。\n"
        "- **声音**：音符写成 MIDI 文件，安装了 FluidSynth 和 General MIDI 音色库（TimGM6mb）时由它演奏，"
        "否则使用内置的加法合成器；运行卡会注明使用了哪一个。\n"
        "- **评测**：模型卡把留出数据上的似然与一元模型基线比较，并把样本的音级、旋律音程与和声直方图与巴赫的比较。"),
}
