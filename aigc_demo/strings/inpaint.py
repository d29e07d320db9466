"""The inpaint tab's UI strings in English and Chinese."""
EN: dict[str, str] = {}
ZH: dict[str, str] = {}
