"""Train a GPT-2 from scratch on Jane Austen's novels (or any UTF-8 text file).

    python -m aigc_demo.train gpt2 --out checkpoints/gpt2-austen
    python -m aigc_demo.train gpt2 --smoke --text-file some.txt --out /tmp/tiny   # seconds

Runs through Hugging Face Accelerate, so `accelerate launch -m aigc_demo.train gpt2 ...`
uses one or many GPUs with no code change. Resumable: state is saved (safetensors) to
--state-dir every --save-every steps and picked up again with --resume.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from aigc_demo.eval.metrics import language_model_metrics
from aigc_demo.models.gpt2 import GPT2Settings, build_model, train_tokenizer
from aigc_demo.train.common import start_run, warmup_cosine, write_training_record as write_record
from aigc_demo.train_state import load_training_state, save_training_state


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train gpt2", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="checkpoints/gpt2-austen")
    p.add_argument("--rdb", default="ja/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb",
                   help="janeaustenr's Rdata.rdb (see aigc_demo/data/austen.py)")
    p.add_argument("--text-file", help="train on this UTF-8 text instead of Austen")
    p.add_argument("--state-dir", default="train_state/gpt2")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--smoke", action="store_true", help="tiny model and a few steps, for tests")
    p.add_argument("--vocab-size", type=int, default=8192)
    p.add_argument("--context", type=int, default=256)
    p.add_argument("--n-layer", type=int, default=6)
    p.add_argument("--n-head", type=int, default=8)
    p.add_argument("--n-embd", type=int, default=256)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--max-steps", type=int, default=2000)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--save-every", type=int, default=100)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    if "--smoke" in argv:  # tiny defaults; options given explicitly still win
        p.set_defaults(vocab_size=300, context=32, n_layer=2, n_head=2, n_embd=32,
                       batch_size=4, max_steps=6, eval_every=3, save_every=3, warmup=2)
    return p.parse_args(argv)


def load_corpus(args) -> tuple[str, str]:
    if args.text_file:
        text = Path(args.text_file).read_text(encoding="utf-8")
        cut = int(len(text) * 0.95)
        return text[:cut], text[cut:]
    from aigc_demo.data.austen import train_heldout_split

    return train_heldout_split(args.rdb)


def random_batch(ids: torch.Tensor, args, generator: torch.Generator) -> torch.Tensor:
    starts = torch.randint(0, len(ids) - args.context - 1, (args.batch_size,), generator=generator)
    return torch.stack([ids[s:s + args.context] for s in starts.tolist()])


def save_checkpoint(model, tokenizer, args, out: Path) -> None:
    """Hugging Face format, weights in fp16 (a few MB; eval shows the cast costs nothing measurable)."""
    from transformers import GenerationConfig

    half = build_model(settings_from(args)).half()
    half.load_state_dict({k: v.half() for k, v in model.state_dict().items()})
    half.save_pretrained(out)
    tokenizer.model_max_length = args.context
    tokenizer.save_pretrained(out)
    GenerationConfig(do_sample=True, temperature=0.8, top_k=50, top_p=0.95, repetition_penalty=1.1,
                     max_new_tokens=120, bos_token_id=0, eos_token_id=0, pad_token_id=0).save_pretrained(out)


def settings_from(args) -> GPT2Settings:
    return GPT2Settings(vocab_size=args.vocab_size, n_positions=args.context, n_layer=args.n_layer,
                        n_head=args.n_head, n_embd=args.n_embd, dropout=args.dropout)


def main(argv: list[str]) -> None:
    from transformers import GPT2TokenizerFast

    args = parse_args(argv)
    accelerator = start_run(args)
    state_dir, out = Path(args.state_dir), Path(args.out)
    train_text, heldout_text = load_corpus(args)
    if args.resume and (state_dir / "state.json").exists():
        tokenizer = GPT2TokenizerFast.from_pretrained(state_dir / "tokenizer")
    else:
        tokenizer = train_tokenizer([train_text], args.vocab_size)
        tokenizer.save_pretrained(state_dir / "tokenizer")
    train_ids = torch.tensor(tokenizer(train_text)["input_ids"], dtype=torch.long)
    torch.manual_seed(args.seed)  # weight init only; this is a training script, not a request path
    model = build_model(settings_from(args))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.1, betas=(0.9, 0.95))
    progress = {"step": 0, "log": [], "best_loss": float("inf"), "seconds": 0.0}
    if args.resume and (state_dir / "state.json").exists():
        progress = load_training_state(state_dir, model, optimizer)
    model, optimizer = accelerator.prepare(model, optimizer)
    generator = torch.Generator().manual_seed(args.seed + progress["step"])
    run(model, optimizer, tokenizer, train_ids, heldout_text, args, accelerator, generator, progress, out)
    write_training_record(args, argv, progress, len(train_text), len(heldout_text), out)


def run(model, optimizer, tokenizer, train_ids, heldout_text, args, accelerator, generator, progress, out):
    start, seconds_before = time.time(), progress["seconds"]
    bar = tqdm(range(progress["step"], args.max_steps), desc="gpt2", disable=not accelerator.is_main_process)
    running = None
    for step in bar:
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(step, args.lr, args.warmup, args.max_steps)
        batch = random_batch(train_ids, args, generator).to(accelerator.device)
        loss = model(input_ids=batch, labels=batch).loss
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        bar.set_postfix(loss=f"{running:.3f}")
        if (step + 1) % args.eval_every == 0 or step + 1 == args.max_steps:
            evaluate_and_keep_best(model, tokenizer, heldout_text, args, accelerator, progress, running, out)
        if (step + 1) % args.save_every == 0 or step + 1 == args.max_steps:
            save_training_state(args.state_dir, accelerator.unwrap_model(model), optimizer, progress)


def evaluate_and_keep_best(model, tokenizer, heldout_text, args, accelerator, progress, train_loss, out):
    metrics = language_model_metrics(model, tokenizer, heldout_text, args.context, max_windows=64)
    entry = {"step": progress["step"], "seconds": round(progress["seconds"]),
             "tokens_seen": progress["step"] * args.batch_size * args.context,
             "train_loss": round(train_loss, 4), **metrics}
    progress["log"].append(entry)
    accelerator.print(json.dumps(entry))
    if metrics["heldout_loss"] < progress["best_loss"]:
        progress["best_loss"] = metrics["heldout_loss"]
        progress["best_step"] = progress["step"]
        save_checkpoint(accelerator.unwrap_model(model), tokenizer, args, out)


def write_training_record(args, argv, progress, train_chars, heldout_chars, out: Path) -> None:
    write_record(out, "gpt2", argv, progress, settings=settings_from(args).as_dict(),
                 optimisation={k: getattr(args, k) for k in ("batch_size", "lr", "warmup", "max_steps", "seed")},
                 data={"source": "text file " + args.text_file if args.text_file else "austen",
                       "train_chars": train_chars, "heldout_chars": heldout_chars},
                 best_step=progress.get("best_step"))


if __name__ == "__main__":
    main(sys.argv[1:])
