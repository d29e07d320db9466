"""UI strings of the newer tabs, one module per tab, each with EN and ZH dicts; aigc_demo.i18n merges them."""
