"""Model compression, measured: int8 dynamic quantisation, magnitude and structured pruning, fp16.

Every figure is measured on this machine, on the compressed model itself:
- size on disk: the weights written as safetensors (int8 tensors plus their scales for int8; tied
  weights once), and the same file gzipped, which is where pruning's zeros pay off in dense storage;
- latency: median of a few runs of a fixed workload (GPT-2: one forward pass over a full context;
  DCGAN: a batch of 100 images), after one warm-up run;
- quality: perplexity and bits per character on a fixed held-out Austen slice (GPT-2), label accuracy
  and Frechet distance under the judge classifier (DCGAN).
"""
from __future__ import annotations

import copy
import functools
import gzip
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from aigc_demo.bench.timing import median_seconds
from aigc_demo.checkpoints import checkpoints_dir
from aigc_demo.errors import UserInputError

MODELS = ("gpt2-austen", "dcgan")
METHODS = ("int8-dynamic", "magnitude-prune", "structured-prune", "fp16")
MAX_AMOUNT = 0.95
IMAGES_PER_CLASS = 20
LATENCY_RUNS = 7
# Layers left alone by pruning: GPT-2's lm_head shares its weight with the token embeddings, and
# DCGAN's last layer has a single output channel (pruning it blanks the picture).
KEEP_DENSE = {"lm_head", "up2"}
QUALITY_COLUMNS = {"gpt2-austen": ["perplexity", "bits per char"], "dcgan": ["label accuracy", "Frechet distance"]}
COMMON_COLUMNS = ["variant", "size (MB)", "size gzipped (MB)", "latency (ms)"]
TAIL_COLUMNS = ["sparsity", "note"]


@dataclass
class Subject:
    """What a model is compressed and measured with: the network and its fixed workload and quality data."""
    name: str
    model: nn.Module
    workload: tuple
    tokenizer: object = None
    context: int = 0


def columns(name: str) -> list[str]:
    return COMMON_COLUMNS + QUALITY_COLUMNS[name] + TAIL_COLUMNS


def check_request(name: str, method: str, amount: float) -> None:
    if name not in MODELS:
        raise UserInputError(f"Pick a model from {', '.join(MODELS)}; '{str(name)[:40]}' is not one.")
    if method not in METHODS:
        raise UserInputError(f"Pick a method from {', '.join(METHODS)}; '{str(method)[:40]}' is not one.")
    if not 0 <= amount <= MAX_AMOUNT:
        raise UserInputError(f"Choose an amount between 0 and {MAX_AMOUNT}.")


# ----------------------------------------------------------------------------- loading
def conv1d_to_linear(model: nn.Module) -> nn.Module:
    """Swap transformers' Conv1D (y = x @ W + b, W [in, out]) for the equivalent nn.Linear (W.T), in place,
    so that torch's quantisation and pruning, which know nn.Linear, apply to GPT-2's attention and MLP."""
    from transformers.pytorch_utils import Conv1D

    for parent in list(model.modules()):
        for child_name, child in list(parent.named_children()):
            if isinstance(child, Conv1D):
                linear = nn.Linear(child.weight.shape[0], child.weight.shape[1])
                linear.weight.data = child.weight.data.t().contiguous()
                linear.bias.data = child.bias.data.clone()
                setattr(parent, child_name, linear)
    return model


def load_subject(name: str) -> Subject:
    """The bundled model in fp32, as the app runs it on a CPU."""
    folder = checkpoints_dir() / name
    if name == "gpt2-austen":
        from transformers import AutoModelForCausalLM, AutoTokenizer

        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        tokenizer = AutoTokenizer.from_pretrained(folder)
        context = model.config.n_positions
        workload = (torch.arange(context).remainder(model.config.vocab_size).unsqueeze(0),)  # [1, context]
        return Subject(name, conv1d_to_linear(model), workload, tokenizer, context)
    from aigc_demo.pipelines.image import load_from_folder

    model = load_from_folder("dcgan", folder, torch.device("cpu"), torch.float32)
    generator = torch.Generator().manual_seed(0)
    workload = (torch.randn(100, model.latent_dim, generator=generator), torch.arange(100) % model.num_classes)
    return Subject(name, model, workload)


# ----------------------------------------------------------------------------- compression
def prunable(model: nn.Module) -> list[tuple[str, nn.Module]]:
    kinds = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)
    return [(name, module) for name, module in model.named_modules()
            if isinstance(module, kinds) and name.split(".")[-1] not in KEEP_DENSE]


def output_dim(module: nn.Module) -> int:
    """The weight axis of output channels: ConvTranspose2d stores [in, out, k, k], the rest [out, in, ...]."""
    return 1 if isinstance(module, nn.ConvTranspose2d) else 0


def magnitude_prune(model: nn.Module, amount: float) -> str:
    from torch.nn.utils import prune

    layers = prunable(model)
    prune.global_unstructured([(m, "weight") for _, m in layers], prune.L1Unstructured, amount=amount)
    for _, module in layers:
        prune.remove(module, "weight")
    return f"global L1 over {len(layers)} layers; zeros stored densely"


def structured_prune(model: nn.Module, amount: float) -> str:
    from torch.nn.utils import prune

    layers = prunable(model)
    for _, module in layers:
        prune.ln_structured(module, "weight", amount=amount, n=2, dim=output_dim(module))
        prune.remove(module, "weight")
    return f"L2 output channels/rows zeroed in each of {len(layers)} layers (not removed)"


def quantize_int8(model: nn.Module) -> tuple[nn.Module, str]:
    count = sum(isinstance(m, nn.Linear) for m in model.modules())
    quantized = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    # A tied output layer (GPT-2's lm_head) gets its own int8 copy; the fp32 embedding stays, and is counted.
    return quantized, f"{count} nn.Linear layer(s) to int8, activations quantised on the fly; the rest stays fp32"


def compress_model(model: nn.Module, method: str, amount: float) -> tuple[nn.Module, str]:
    """A compressed copy of `model` and a one-line note of what was done; `model` is left untouched."""
    model = copy.deepcopy(model)
    if method == "int8-dynamic":
        return quantize_int8(model)
    if method == "magnitude-prune":
        return model, magnitude_prune(model, amount)
    if method == "structured-prune":
        return model, structured_prune(model, amount)
    return model.half(), "all weights cast to float16 and run in float16 (slow on CPUs without fp16 kernels)"


# ----------------------------------------------------------------------------- measuring
def tensors_for_disk(model: nn.Module) -> dict[str, torch.Tensor]:
    """What a checkpoint of `model` must hold: int8 values + scale + zero point for quantised layers,
    every other persistent parameter and buffer as it is, tied tensors once."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear

    tensors, seen = {}, set()
    for prefix, module in model.named_modules():
        if isinstance(module, DynamicQuantizedLinear):
            weight, bias = module.weight(), module.bias()
            tensors[f"{prefix}.weight"] = weight.int_repr()
            tensors[f"{prefix}.weight_scale"] = torch.tensor([weight.q_scale()])
            tensors[f"{prefix}.weight_zero_point"] = torch.tensor([weight.q_zero_point()], dtype=torch.int32)
            if bias is not None:
                tensors[f"{prefix}.bias"] = bias.detach()
            continue
        persistent = [(n, b) for n, b in module.named_buffers(recurse=False) if n not in module._non_persistent_buffers_set]
        for tensor_name, tensor in itertools.chain(module.named_parameters(recurse=False), persistent):
            if tensor.data_ptr() not in seen:
                seen.add(tensor.data_ptr())
                tensors[f"{prefix}.{tensor_name}"] = tensor.detach().contiguous()
    return tensors


def sizes_on_disk(model: nn.Module) -> tuple[float, float]:
    """(safetensors size, the same file gzipped) in MB, written to a temporary folder."""
    from safetensors.torch import save_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.safetensors"
        save_file(tensors_for_disk(model), str(path))
        raw = path.read_bytes()
    return len(raw) / 1e6, len(gzip.compress(raw, compresslevel=6)) / 1e6


def as_dtype(workload: tuple, dtype: torch.dtype) -> tuple:
    return tuple(x.to(dtype) if x.is_floating_point() else x for x in workload)


@torch.inference_mode()
def latency_ms(model: nn.Module, workload: tuple, dtype: torch.dtype) -> float:
    inputs = as_dtype(workload, dtype)
    return median_seconds(lambda: model(*inputs), LATENCY_RUNS) * 1000


def sparsity(model: nn.Module) -> float | str:
    """Share of zero weights in the layers pruning touches, among those still in floating point ('-' when
    quantisation took them all)."""
    layers = prunable(model)
    if not layers:
        return "-"
    zeros = sum(int((m.weight == 0).sum()) for _, m in layers)
    return round(zeros / sum(m.weight.numel() for _, m in layers), 4)


def model_dtype(model: nn.Module) -> torch.dtype:
    return next(model.parameters()).dtype


def quality(subject: Subject, model: nn.Module) -> list:
    if subject.name == "gpt2-austen":
        from aigc_demo.data.austen import EXCERPT_FILE
        from aigc_demo.eval.metrics import language_model_metrics

        text = EXCERPT_FILE.read_text(encoding="utf-8")  # shipped in assets/, so this works on any server
        figures = language_model_metrics(model, subject.tokenizer, text, subject.context)
        return [figures["perplexity"], figures["bits_per_char"]]
    figures = image_quality(model)
    return [figures["label_accuracy"], figures["frechet_distance"]]


def image_quality(model: nn.Module, per_class: int = IMAGES_PER_CLASS) -> dict:
    """Label accuracy and Frechet distance of DCGAN samples (seed 0) against real test images, as eval/image.py."""
    from aigc_demo.data import fashion_mnist
    from aigc_demo.eval.image import generate_all, load_judge, stratified_indices
    from aigc_demo.eval.metrics import frechet_distance, judge_images
    from aigc_demo.lab.data import fashion_mnist_root
    from aigc_demo.pipelines.convert import from_uint8
    from aigc_demo.pipelines.image import wrap

    test_x, test_y = fashion_mnist.load("test", fashion_mnist_root())
    judge = load_judge()
    labels = [c for c in range(10) for _ in range(per_class)]
    images, _ = generate_all(wrap("dcgan", model), labels, seed=0, options={})
    fake_features, predicted = judge_images(judge, from_uint8(images))
    real_features, _ = judge_images(judge, from_uint8(test_x[stratified_indices(test_y, per_class)]))
    return {"label_accuracy": round(float((predicted == torch.tensor(labels)).float().mean()), 4),
            "frechet_distance": round(frechet_distance(fake_features, real_features), 2)}


def measure(subject: Subject, model: nn.Module, variant: str, note: str) -> list:
    """One table row (columns(subject.name)) for `model`; fp16 runs in fp16, falling back to fp32 if it can't."""
    dtype = model_dtype(model)
    size, gzipped = sizes_on_disk(model)
    try:
        latency = latency_ms(model, subject.workload, dtype)
        figures = quality(subject, model)
    except RuntimeError as error:  # an op without a CPU fp16 kernel: measure the fp32 model, say so
        if dtype != torch.float16:
            raise
        note += f"; fp16 failed on this CPU ({str(error)[:60]}), latency and quality measured in fp32"
        model = model.float()
        latency, figures = latency_ms(model, subject.workload, torch.float32), quality(subject, model)
    return [variant, round(size, 2), round(gzipped, 2), round(latency, 2), *figures, sparsity(model), note]


# ----------------------------------------------------------------------------- entry points
@functools.lru_cache(maxsize=4)
def baseline(name: str, root: str) -> tuple[Subject, list]:
    """The uncompressed model and its measured row, once per process (and checkpoints folder)."""
    subject = load_subject(name)
    return subject, measure(subject, subject.model, "original (fp32, as the app runs it)", "")


@dataclass
class CompressionResult:
    columns: list[str]
    rows: list[list]  # before, after
    model: nn.Module  # the compressed network, ready to run
    subject: Subject


def compress(name: str, method: str, amount: float = 0.5) -> CompressionResult:
    """Compress bundled model `name` with `method` (pruning at sparsity `amount`) and measure before and after."""
    check_request(name, method, amount)
    subject, before = baseline(name, str(checkpoints_dir()))
    compressed, note = compress_model(subject.model, method, amount)
    variant = f"{method} {amount:g}" if method.endswith("prune") else method
    after = measure(subject, compressed, variant, note)
    return CompressionResult(columns(name), [before, after], compressed, subject)
