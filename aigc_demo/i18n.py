"""The UI's words in English and Chinese. Components take `t("key")`; the browser's locale picks the language."""
import gradio as gr

EN = {
    "app.title": "AIGC Studio",
    "app.tagline": "Try, compare and learn generative models: every model here runs offline, every output has a run card, every tab is an API.",
    "tab.text": "Text", "tab.image": "Image", "tab.style": "Style transfer", "tab.inpaint": "Inpainting",
    "tab.audio": "Audio", "tab.multimodal": "Multimodal",
    "pending.image": "Image generation (DCGAN, VAE, diffusion, StyleGAN) has not landed yet; it is tracked as issue #3.",
    "pending.style": "Style transfer (CycleGAN, neural style) has not landed yet; it is tracked as issue #4.",
    "pending.inpaint": "Inpainting and restoration (Pix2Pix, classical baselines) has not landed yet; it is tracked as issue #5.",
    "pending.audio": "Audio (text to speech, neural vocoder, music) has not landed yet; it is tracked as issue #6.",
    "pending.multimodal": "Multimodal (text to image, stories, image to text, replies) has not landed yet; it is tracked as issue #7.",
    "how": "How it works",
    "text.generate_tab": "Generate", "text.compare_tab": "Compare two models",
    "text.model": "Model", "text.model_info": "A bundled model, or type a Hugging Face id such as distilgpt2 (needs the network).",
    "text.prompt": "Prompt", "text.prompt_placeholder": "It is a truth universally acknowledged...",
    "text.settings": "Sampling settings", "text.max_new_tokens": "Max new tokens",
    "text.temperature": "Temperature (0 = greedy)", "text.top_k": "Top-k (0 = off)", "text.top_p": "Top-p (1 = off)",
    "text.repetition_penalty": "Repetition penalty (1 = off)", "common.seed": "Seed (-1 = random)",
    "common.randomize": "Random seed", "common.reuse": "Reuse last seed",
    "text.generate": "Generate", "text.stop": "Stop", "text.output": "Generated text", "text.stats": "Speed",
    "common.run_card": "Run card", "common.download_card": "Download run card (JSON)", "common.seed_used": "Seed used",
    "text.model_a": "Model A", "text.model_b": "Model B", "text.output_a": "Model A output", "text.output_b": "Model B output",
    "text.compare": "Compare", "text.examples": "Examples",
    "image.generate_tab": "Generate", "image.explorer_tab": "Latent explorer", "image.model": "Model",
    "image.label": "Class (random = a class per image)", "image.num_images": "Number of images",
    "image.diffusion_settings": "Diffusion sampling", "image.scheduler": "Scheduler", "image.steps": "Steps",
    "image.guidance": "Guidance scale (1 = none, 1.5 works best)", "image.truncation": "Truncation (lower = cleaner, less varied)",
    "image.generate": "Generate", "image.gallery": "Images", "image.seed_a": "Seed A", "image.seed_b": "Seed B",
    "image.interpolation_steps": "Frames", "image.interpolate": "Interpolate", "image.strip": "From seed A to seed B",
    "image.gif": "Animation",
}

ZH = {
    "app.title": "AIGC 工作室",
    "app.tagline": "体验、比较、学习生成式模型：所有模型离线运行，每个输出都有运行卡，每个标签页都是 API。",
    "tab.text": "文本", "tab.image": "图像", "tab.style": "风格迁移", "tab.inpaint": "图像修复",
    "tab.audio": "音频", "tab.multimodal": "多模态",
    "pending.image": "图像生成（DCGAN、VAE、扩散模型、StyleGAN）尚未上线，见议题 #3。",
    "pending.style": "风格迁移（CycleGAN、神经风格）尚未上线，见议题 #4。",
    "pending.inpaint": "图像修复与复原（Pix2Pix 与经典方法）尚未上线，见议题 #5。",
    "pending.audio": "音频（语音合成、神经声码器、音乐）尚未上线，见议题 #6。",
    "pending.multimodal": "多模态（文生图、故事、图生文、回复）尚未上线，见议题 #7。",
    "how": "工作原理",
    "text.generate_tab": "生成", "text.compare_tab": "对比两个模型",
    "text.model": "模型", "text.model_info": "内置模型，或输入 Hugging Face 模型名，如 distilgpt2（需要联网）。",
    "text.prompt": "提示词", "text.prompt_placeholder": "凡是有钱的单身汉，总想娶位太太……",
    "text.settings": "采样设置", "text.max_new_tokens": "最多生成词元数",
    "text.temperature": "温度（0 = 贪心）", "text.top_k": "Top-k（0 = 关闭）", "text.top_p": "Top-p（1 = 关闭）",
    "text.repetition_penalty": "重复惩罚（1 = 关闭）", "common.seed": "随机种子（-1 = 随机）",
    "common.randomize": "随机种子", "common.reuse": "复用上次种子",
    "text.generate": "生成", "text.stop": "停止", "text.output": "生成的文本", "text.stats": "速度",
    "common.run_card": "运行卡", "common.download_card": "下载运行卡（JSON）", "common.seed_used": "实际使用的种子",
    "text.model_a": "模型 A", "text.model_b": "模型 B", "text.output_a": "模型 A 输出", "text.output_b": "模型 B 输出",
    "text.compare": "对比", "text.examples": "示例",
    "image.generate_tab": "生成", "image.explorer_tab": "潜空间探索", "image.model": "模型",
    "image.label": "类别（random = 每张随机）", "image.num_images": "图像数量",
    "image.diffusion_settings": "扩散采样", "image.scheduler": "调度器", "image.steps": "步数",
    "image.guidance": "引导强度（1 = 无，1.5 最佳）", "image.truncation": "截断（越低越干净、越单一）",
    "image.generate": "生成", "image.gallery": "图像", "image.seed_a": "种子 A", "image.seed_b": "种子 B",
    "image.interpolation_steps": "帧数", "image.interpolate": "插值", "image.strip": "从种子 A 到种子 B",
    "image.gif": "动画",
}

assert EN.keys() == ZH.keys(), "every UI string needs both languages"

i18n = gr.I18n(en=EN, zh=ZH)
t = i18n
