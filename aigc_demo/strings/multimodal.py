"""The Multimodal tab's UI strings in English and Chinese."""
EN: dict[str, str] = {
    "mm.t2i_tab": "Text to image", "mm.story_tab": "Story", "mm.describe_tab": "Image to text",
    "mm.reply_tab": "Replies",
    "mm.prompt": "Describe a garment", "mm.prompt_placeholder": "a pair of running shoes",
    "mm.num_images": "Number of images", "mm.draw": "Draw", "mm.images": "Images",
    "mm.understood": "What the encoder understood",
    "mm.send_style": "Send first image to Style transfer", "mm.send_inpaint": "Send first image to Inpainting",
    "mm.describe_image": "Picture", "mm.describe": "Describe", "mm.description": "Description",
    "mm.probabilities": "What the classifier sees", "mm.as_seen": "As the classifier sees it (28x28)",
    "mm.say_aloud": "Say it aloud", "mm.spoken": "Spoken description",
    "mm.message": "Your message", "mm.message_placeholder": "What do you think of Mr. Darcy?",
    "mm.reply": "Find replies", "mm.best_reply": "Best reply", "mm.candidates": "Candidate replies",
    "mm.continue": "Let GPT-2 continue the best reply", "mm.continuation": "GPT-2's continuation",
    "mm.col_score": "similarity", "mm.col_reply": "reply", "mm.col_line": "it answered", "mm.col_book": "novel",
}
ZH: dict[str, str] = {
    "mm.t2i_tab": "文本生成图像", "mm.story_tab": "故事", "mm.describe_tab": "图像转文本", "mm.reply_tab": "回复",
    "mm.prompt": "描述一件服饰", "mm.prompt_placeholder": "一双跑鞋（a pair of running shoes）",
    "mm.num_images": "图像数量", "mm.draw": "生成", "mm.images": "图像", "mm.understood": "编码器的理解",
    "mm.send_style": "把第一张图发送到风格迁移", "mm.send_inpaint": "把第一张图发送到图像修复",
    "mm.describe_image": "图片", "mm.describe": "描述", "mm.description": "描述",
    "mm.probabilities": "分类器看到的内容", "mm.as_seen": "分类器看到的样子（28x28）",
    "mm.say_aloud": "朗读出来", "mm.spoken": "朗读的描述",
    "mm.message": "你的消息", "mm.message_placeholder": "你觉得达西先生怎么样？（英文效果最好）",
    "mm.reply": "查找回复", "mm.best_reply": "最佳回复", "mm.candidates": "候选回复",
    "mm.continue": "让 GPT-2 续写最佳回复", "mm.continuation": "GPT-2 的续写",
    "mm.col_score": "相似度", "mm.col_reply": "回复", "mm.col_line": "所回应的话", "mm.col_book": "小说",
}
