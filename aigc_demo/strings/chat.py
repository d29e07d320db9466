"""The Text tab's Chat panel and the Multimodal tab's answers from passages, in English and Chinese."""
EN: dict[str, str] = {
    "chat.tab": "Chat", "chat.model": "Instruct model", "chat.system": "System prompt",
    "chat.system_placeholder": "Empty: the model's own default system prompt.",
    "chat.message": "Message", "chat.message_placeholder": "Ask anything, e.g. 'Give me three tips for a good night's sleep.'",
    "chat.send": "Send", "chat.stop": "Stop", "chat.clear": "Clear", "chat.history": "Conversation",
    "chat.examples": "Examples",
    "rag.tab": "Answers from passages", "rag.question": "Question",
    "rag.question_placeholder": "What does Elizabeth think of Mr. Darcy?",
    "rag.source": "Passages to answer from",
    "rag.source_austen": "Austen's dialogue lines (bundled)", "rag.source_pasted": "The text pasted below",
    "rag.pasted": "Your text (split into passages of a few sentences)", "rag.ask": "Ask",
    "rag.answer": "Answer", "rag.passages": "Passages found (the model answers from these)",
    "rag.intro": "The MiniLM sentence encoder finds the passages closest to the question; the instruct model then "
                 "answers from those passages only.",
}
ZH: dict[str, str] = {
    "chat.tab": "对话", "chat.model": "指令模型", "chat.system": "系统提示词",
    "chat.system_placeholder": "留空：使用模型自带的默认系统提示词。",
    "chat.message": "消息", "chat.message_placeholder": "随便问，例如“给我三个睡个好觉的建议。”",
    "chat.send": "发送", "chat.stop": "停止", "chat.clear": "清空", "chat.history": "对话记录",
    "chat.examples": "示例",
    "rag.tab": "依据段落回答", "rag.question": "问题",
    "rag.question_placeholder": "伊丽莎白怎么看达西先生？",
    "rag.source": "回答所依据的段落",
    "rag.source_austen": "奥斯汀小说的对白（内置）", "rag.source_pasted": "下面粘贴的文本",
    "rag.pasted": "你的文本（按几句一段切分）", "rag.ask": "提问",
    "rag.answer": "回答", "rag.passages": "找到的段落（模型据此回答）",
    "rag.intro": "MiniLM 句向量编码器找出与问题最接近的段落，指令模型只依据这些段落回答。",
}
