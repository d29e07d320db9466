"""The inpaint tab's UI strings in English and Chinese."""
EN: dict[str, str] = {
    "inpaint.editor": "Picture: upload, then paint over what to fill (brush); the eraser takes paint away",
    "inpaint.mask_upload": "Or upload a mask (white = fill; same size or it is resized)",
    "inpaint.brush_size": "Brush size (px)",
    "inpaint.model": "Model",
    "inpaint.model_info": "Learned (trained here): pix2pix-fashion, pix2pix-photo, restore. Classical: telea, "
                          "navier-stokes, biharmonic. restore with no mask cleans the whole picture.",
    "inpaint.run": "Fill",
    "inpaint.overlay": "Mask (red = will be filled)",
    "inpaint.before_after": "Before / after",
    "inpaint.result": "Result",
    "inpaint.download_result": "Download result (PNG)",
    "inpaint.download_mask": "Download mask (PNG)",
    "inpaint.send_to_style": "Send result to Style transfer",
    "inpaint.examples": "Examples (held-out photos and garments, never trained on)",
}
ZH: dict[str, str] = {
    "inpaint.editor": "图片：先上传，再用画笔涂抹需要填补的区域；橡皮擦可擦除涂抹",
    "inpaint.mask_upload": "或上传掩码图（白色 = 填补；尺寸不同会自动缩放）",
    "inpaint.brush_size": "画笔大小（像素）",
    "inpaint.model": "模型",
    "inpaint.model_info": "本地训练：pix2pix-fashion、pix2pix-photo、restore。经典方法：telea、navier-stokes、"
                          "biharmonic。restore 不涂抹时会修复整张图片。",
    "inpaint.run": "填补",
    "inpaint.overlay": "掩码（红色 = 将被填补）",
    "inpaint.before_after": "修复前 / 修复后",
    "inpaint.result": "结果",
    "inpaint.download_result": "下载结果（PNG）",
    "inpaint.download_mask": "下载掩码（PNG）",
    "inpaint.send_to_style": "将结果发送到风格迁移",
    "inpaint.examples": "示例（未参与训练的照片与服饰图片）",
}
