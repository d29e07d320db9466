"""The Audio tab's music section: UI strings in English and Chinese."""
EN: dict[str, str] = {}
ZH: dict[str, str] = {}
