"""GPT-2 trained here: a byte-level BPE tokenizer and a transformers GPT2LMHeadModel.

Everything is stock Hugging Face, so a saved folder loads with
`transformers.pipeline("text-generation", model=<folder>)` unchanged.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

END_OF_TEXT = "<|endoftext|>"


@dataclass
class GPT2Settings:
    vocab_size: int = 8192
    n_positions: int = 256
    n_layer: int = 6
    n_head: int = 6
    n_embd: int = 384
    dropout: float = 0.1

    def to_config(self):
        from transformers import GPT2Config

        return GPT2Config(
            vocab_size=self.vocab_size, n_positions=self.n_positions, n_layer=self.n_layer,
            n_head=self.n_head, n_embd=self.n_embd, resid_pdrop=self.dropout,
            embd_pdrop=self.dropout, attn_pdrop=self.dropout,
            bos_token_id=0, eos_token_id=0,
        )

    def as_dict(self) -> dict:
        return asdict(self)


def train_tokenizer(texts: list[str], vocab_size: int):
    """A GPT-2 style byte-level BPE tokenizer fitted to `texts`.

    Built from a `tokenizers` object: in transformers 5, GPT2TokenizerFast(vocab_file=...)
    silently produced a one-token tokenizer, so we assert the size instead of trusting it.
    """
    from transformers import GPT2TokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[END_OF_TEXT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    bpe.train_from_iterator(texts, trainer=trainer)
    tokenizer = GPT2TokenizerFast(
        tokenizer_object=bpe, bos_token=END_OF_TEXT, eos_token=END_OF_TEXT, unk_token=END_OF_TEXT,
    )
    assert len(tokenizer) == bpe.get_vocab_size() > 256, "tokenizer lost its vocabulary"
    return tokenizer


def build_model(settings: GPT2Settings):
    from transformers import GPT2LMHeadModel

    return GPT2LMHeadModel(settings.to_config())
