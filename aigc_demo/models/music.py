"""ChoraleLSTM: an autoregressive LSTM over the SATB eighth-note grid of aigc_demo/data/chorales.py.

The sequence is BOS, then frame after frame of four tokens (soprano, alto, tenor, bass). Each input
position sums three embeddings: the token, which voice the *next* token belongs to, and the next
token's place in the bar (beat index, one table per metre), so the network always knows which voice
and which beat it is predicting. BachBot (Liang 2016) showed that an LSTM on such a serialised grid
writes convincing chorale harmony; an LSTM also samples in constant time per token, which keeps the
app's generation fast on a CPU.

    tokens [B, T] -> embeddings [B, T, d_embed] -> LSTM x n_layers [B, T, d_hidden] -> logits [B, T, vocab]
"""
from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from aigc_demo.data import chorales


class ChoraleLSTM(nn.Module, PyTorchModelHubMixin):
    def __init__(self, vocab_size: int = chorales.VOCAB_SIZE, n_voices: int = 4,
                 beat_indices: int = chorales.BEAT_INDICES, d_embed: int = 128, d_hidden: int = 256,
                 n_layers: int = 2, dropout: float = 0.3):
        super().__init__()
        self.vocab_size, self.n_voices = vocab_size, n_voices
        self.token_embedding = nn.Embedding(vocab_size, d_embed)
        self.voice_embedding = nn.Embedding(n_voices, d_embed)
        self.beat_embedding = nn.Embedding(beat_indices, d_embed)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(d_embed, d_hidden, num_layers=n_layers, batch_first=True,
                            dropout=dropout if n_layers > 1 else 0.0)
        self.head = nn.Linear(d_hidden, vocab_size)

    def forward(self, tokens: torch.Tensor, next_voice: torch.Tensor, next_beat: torch.Tensor,
                state: tuple[torch.Tensor, torch.Tensor] | None = None):
        """tokens, next_voice, next_beat: int [B, T] -> (logits [B, T, vocab], LSTM state)."""
        x = self.token_embedding(tokens) + self.voice_embedding(next_voice) + self.beat_embedding(next_beat)
        hidden, state = self.lstm(self.dropout(x), state)
        return self.head(self.dropout(hidden)), state

    def step(self, token: int, next_voice: int, next_beat: int, state: list[tuple[torch.Tensor, torch.Tensor]] | None):
        """One token at inference (no dropout): (logits [vocab], per-layer (h, c) [1, d_hidden]).

        The same arithmetic as nn.LSTM (gates i, f, g, o), written out because one nn.LSTM call on a single
        token costs about 6x more on a CPU than these few matrix products, and sampling makes hundreds.
        """
        x = (self.token_embedding.weight[token] + self.voice_embedding.weight[next_voice]
             + self.beat_embedding.weight[next_beat])[None]
        layers = self.lstm.num_layers
        state = state or [(x.new_zeros(1, self.lstm.hidden_size),) * 2 for _ in range(layers)]
        new_state = []
        for layer, (h, c) in enumerate(state):
            gates = (x @ getattr(self.lstm, f"weight_ih_l{layer}").t() + getattr(self.lstm, f"bias_ih_l{layer}")
                     + h @ getattr(self.lstm, f"weight_hh_l{layer}").t() + getattr(self.lstm, f"bias_hh_l{layer}"))
            i, f, g, o = gates.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            new_state.append((h, c))
            x = h
        return self.head(x)[0], new_state


def sequence_inputs(frames: torch.Tensor, beats: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Frames [B, F, 4] and their beat indices [B, F] -> (inputs, targets, next_voice, next_beat), each [B, 4F].

    Inputs are BOS followed by all but the last token; position i predicts token i of the flattened grid.
    """
    batch, n_frames, n_voices = frames.shape
    targets = frames.reshape(batch, n_frames * n_voices).long()
    bos = torch.full((batch, 1), chorales.BOS, dtype=torch.long, device=frames.device)
    inputs = torch.cat([bos, targets[:, :-1]], dim=1)
    next_voice = torch.arange(n_voices, device=frames.device).repeat(n_frames).expand(batch, -1)
    next_beat = beats.long().repeat_interleave(n_voices, dim=1)
    return inputs, targets, next_voice, next_beat
