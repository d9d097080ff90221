"""The llama.cpp generator on the real Gemma 3 270M model (nothing mocked), and the GPU
layer arithmetic. Generations stay at or under 32 tokens. One thread: with llama.cpp's
OpenMP spin-waiting, 2 threads on 2 busy cores ran 16 tokens in 40 s instead of 0.3 s."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import llama_cpp
import pytest

from agents.models.generator_setup import generator_factory
from agents.runtime.generation import GenerationError, GenerationRequest, Generator
from agents.runtime.gpu import NO_GPU_BUILD, GpuDevice, GpuInfo, choose_gpu_layers, detect_gpu
from agents.runtime.llama_chat import ChatTemplate
from agents.runtime.llama_generator import LlamaGenerator
from agents.runtime.llama_sampling import TokenText
from evidence.datadir import DataDir
from evidence.errors import ModelFileError
from evidence.settings import Settings

pytest_plugins = ["tests.fixtures_models"]

ROOT = Path(__file__).resolve().parents[1]
PROMPT = (
    "The resolution is that the United States should ban commercial whaling. "
    "The first argument for the affirmative is"
)
FEW_SHOT = """Card: The moratorium on commercial whaling has allowed humpbacks to recover.
JSON: {"tag": "Whaling moratorium saves humpbacks"}
Card: Sanctions rarely change the behaviour of authoritarian regimes.
JSON: {"tag": "Sanctions fail"}
Card: Ocean acidification is killing coral reefs worldwide.
JSON: """
TAG_SCHEMA = {
    "type": "object",
    "properties": {"tag": {"type": "string", "maxLength": 80}},
    "required": ["tag"],
}


@pytest.fixture(scope="module")
def gemma(generator_gguf: Path) -> Iterator[LlamaGenerator]:
    with LlamaGenerator(generator_gguf, n_threads=1) as gen:
        yield gen


def greedy(max_tokens: int = 16, **kwargs: object) -> GenerationRequest:
    return GenerationRequest(PROMPT, max_tokens=max_tokens, temperature=0.0, **kwargs)  # type: ignore[arg-type]


def test_streams_pieces_and_counts_them(gemma: LlamaGenerator) -> None:
    as_protocol: Generator = gemma
    pieces = list(as_protocol.stream(greedy(16)))
    stats = as_protocol.last_stats
    assert len(pieces) >= 3 and all(pieces)
    assert stats.generated_tokens == 16 and stats.stopped_by == "length"
    assert stats.prompt_tokens == as_protocol.count_tokens(PROMPT)
    assert 0 < stats.seconds_to_first_token <= stats.seconds
    assert gemma.model_id.startswith("gemma-3-270m-q4_k_m.gguf@")


def test_greedy_is_deterministic_with_and_without_the_prompt_cache(gemma: LlamaGenerator) -> None:
    # Over 128 tokens, so the second call reuses the first 128 from the cache.
    context = " ".join(
        f"Card {i}: commercial whaling in the {s} Ocean fell after the moratorium."
        for i, s in enumerate(["Southern", "Pacific", "Atlantic", "Arctic", "Indian"] * 2)
    )
    request = GenerationRequest(f"{context}\n{PROMPT}", max_tokens=12, temperature=0.0)
    gemma.reset_cache()
    cold = gemma.complete(request)
    assert gemma.last_stats.extra["cached_prompt_tokens"] == 0
    assert gemma.last_stats.prompt_tokens > 128
    warm = gemma.complete(request)
    assert gemma.last_stats.extra["cached_prompt_tokens"] == 128
    assert cold == warm and len(cold.split()) >= 4
    assert gemma.complete(greedy(12)) == gemma.complete(greedy(12))


def test_sampling_follows_the_seed(gemma: LlamaGenerator) -> None:
    def sample(seed: int) -> str:
        request = GenerationRequest(PROMPT, max_tokens=12, temperature=1.0, seed=seed)
        return gemma.complete(request)

    assert sample(7) == sample(7)
    assert len({sample(seed) for seed in (1, 2, 3, 4)}) > 1


def test_cancel_stops_within_one_token(gemma: LlamaGenerator) -> None:
    cancelled = False
    checks = 0

    def cancel() -> bool:
        nonlocal checks
        checks += 1
        return cancelled

    pieces: list[str] = []
    after = 0
    for piece in gemma.stream(greedy(32), cancel):
        if cancelled:
            after += 1
        pieces.append(piece)
        if len(pieces) == 3:
            cancelled = True
    stats = gemma.last_stats
    assert stats.stopped_by == "cancel"
    assert after <= 1 and stats.generated_tokens <= 4  # the spec; this loop stops at once:
    assert after == 0 and stats.generated_tokens == 3
    # consulted before every prompt chunk and every token
    assert checks >= stats.generated_tokens + 1


def test_cancel_before_the_start_and_closing_the_stream(gemma: LlamaGenerator) -> None:
    assert list(gemma.stream(greedy(8), lambda: True)) == []
    assert gemma.last_stats.stopped_by == "cancel"
    assert gemma.last_stats.generated_tokens == 0

    stream = gemma.stream(greedy(16))
    next(stream)
    assert gemma.count_tokens("x") >= 1  # the tokenizer needs no lock
    with pytest.raises(RuntimeError, match="still open"):  # same thread, stream still open
        gemma.stream(greedy(4))
    stream.close()  # type: ignore[attr-defined]
    assert gemma.last_stats.stopped_by == "cancel"
    assert gemma.complete(greedy(2))  # the lock was released


def test_text_pieces_keep_characters_split_across_tokens(gemma: LlamaGenerator) -> None:
    # Gemma spells rare characters byte by byte: 𝔘 is four tokens of one byte each.
    text = "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 whales 🦭🪼 ꙮ — café end"
    vocab = llama_cpp.llama_model_get_vocab(gemma._live().model)
    tokens = gemma._live().tokenize(text.encode(), add_bos=False)
    pieces = TokenText(vocab, ())
    assert pieces.piece(tokens[0]) == b"\xf0"
    out = "".join(pieces.push(t)[0] for t in tokens) + pieces.flush()
    assert out == text
    stopper = TokenText(vocab, ("🪼 ꙮ",))  # a stop string that starts mid-character
    shown, hit = "", False
    for t in tokens:
        piece, hit = stopper.push(t)
        shown += piece
        if hit:
            break
    assert hit and shown == "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 whales 🦭"


def test_stop_strings_end_the_answer_and_are_not_shown(gemma: LlamaGenerator) -> None:
    full = gemma.complete(greedy(24))
    words = full.split()
    assert len(words) >= 6
    for stop in (words[3], f"{words[2]} {words[3]}"):  # one token, and across tokens
        got = gemma.complete(greedy(24, stop=(stop,)))
        assert got == full[: full.find(stop)]
        assert stop not in got and gemma.last_stats.stopped_by == "stop"


def test_json_schema_output_parses(gemma: LlamaGenerator) -> None:
    request = GenerationRequest(FEW_SHOT, max_tokens=32, temperature=0.0, json_schema=TAG_SCHEMA)
    value = gemma.complete_json(request)
    assert isinstance(value, dict) and isinstance(value["tag"], str) and value["tag"]
    assert gemma.last_stats.extra["attempts"] >= 1
    # Even a prompt that invites no JSON at all comes out as JSON under the grammar.
    free = gemma.complete(greedy(8, json_schema={"type": "object"}))
    assert free.lstrip().startswith("{")


def test_json_that_cannot_finish_fails_with_the_output(gemma: LlamaGenerator) -> None:
    request = GenerationRequest(FEW_SHOT, max_tokens=3, temperature=0.0, json_schema=TAG_SCHEMA)
    with pytest.raises(GenerationError, match=r"valid JSON in 3 attempts.*last output: '\{"):
        gemma.complete_json(request)
    with pytest.raises(ValueError, match="json_schema"):
        gemma.complete_json(greedy(4))


def test_gbnf_grammar_constrains_and_a_bad_one_is_refused(gemma: LlamaGenerator) -> None:
    answer = gemma.complete(greedy(4, grammar='root ::= "yes" | "no"'))
    assert answer in {"yes", "no"}
    assert gemma.last_stats.stopped_by == "stop"
    with pytest.raises(GenerationError, match="grammar"):
        gemma.stream(greedy(4, grammar="root ::= undefined-rule"))


def test_prompt_longer_than_the_context(generator_gguf: Path) -> None:
    with LlamaGenerator(generator_gguf, n_threads=1, context_size=512) as small:
        assert small.context_size == 512
        prompt = "The whaling moratorium protects the ocean. " * 250
        n = small.count_tokens(prompt)
        assert n > 1500
        with pytest.raises(GenerationError) as err:
            small.stream(GenerationRequest(prompt, max_tokens=8))
        assert f"the prompt is {n} tokens" in str(err.value) and "holds 512" in str(err.value)


def test_context_is_capped_at_the_training_context(generator_gguf: Path) -> None:
    with LlamaGenerator(generator_gguf, n_threads=1, context_size=1_000_000) as big:
        assert big.context_size == 32768  # Gemma 3 270M was trained on 32k tokens


def test_files_that_are_not_models(tmp_path: Path, generator_gguf: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        LlamaGenerator(text)
    cut = tmp_path / "cut.gguf"
    with generator_gguf.open("rb") as fh:
        cut.write_bytes(fh.read(8_000_000))
    with pytest.raises(ModelFileError, match="truncated"):
        LlamaGenerator(cut)
    with pytest.raises(ModelFileError, match="missing"):
        LlamaGenerator(tmp_path / "absent.gguf")


@pytest.mark.skipif(sys.platform != "linux", reason="uses RLIMIT_AS to run out of memory")
def test_out_of_memory_on_load_says_so(generator_gguf: Path) -> None:
    # Address space for the mmapped weights, not for a 32k-token KV cache (~0.6 GB).
    code = textwrap.dedent(f"""
        import resource, sys
        from agents.runtime.llama_generator import LlamaGenerator
        from evidence.errors import ModelFileError
        status = open("/proc/self/status").read()
        vm = int(status.split("VmSize:")[1].split()[0]) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (vm + 450_000_000, resource.RLIM_INFINITY))
        try:
            LlamaGenerator({str(generator_gguf)!r}, n_threads=1, context_size=32768)
        except ModelFileError as exc:
            print(exc)
            sys.exit(3)
        """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3, done.stderr[-2000:]
    assert "not enough memory to load gemma-3-270m-q4_k_m.gguf" in done.stdout
    assert "fewer GPU layers" in done.stdout


def test_base_model_has_no_chat_template(gemma: LlamaGenerator) -> None:
    assert gemma.has_chat_template is False
    assert gemma.chat_prompt("You write tags.", "Whales.") == "You write tags.\n\nWhales."
    assert gemma.chat_prompt("", "Whales.") == "Whales."


GEMMA_LIKE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m['role'] }}\n"
    "{{ m['content'] }}<end_of_turn>\n{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)
NO_SYSTEM = (
    "{% for m in messages %}{% if m['role'] == 'system' %}"
    "{{ raise_exception('System role not supported') }}{% endif %}"
    "[INST] {{ m['content'] }} [/INST]{% endfor %}"
)


def test_chat_template_rendering() -> None:
    chat = ChatTemplate(GEMMA_LIKE, bos_token="<bos>", eos_token="<eos>")
    assert chat.render("Be brief.", "Tag this.") == (
        "<bos><start_of_turn>system\nBe brief.<end_of_turn>\n"
        "<start_of_turn>user\nTag this.<end_of_turn>\n<start_of_turn>model\n"
    )
    strict = ChatTemplate(NO_SYSTEM)
    assert strict.render("Be brief.", "Tag this.") == "[INST] Be brief.\n\nTag this. [/INST]"


def test_device_note_on_this_build(gemma: LlamaGenerator) -> None:
    if llama_cpp.llama_supports_gpu_offload():
        assert gemma.device_note.startswith(("GPU", "CPU"))
    else:
        assert detect_gpu() == GpuInfo(offload_supported=False)
        assert gemma.device_note == NO_GPU_BUILD and gemma.gpu_layers == 0


GB = 1_000_000_000


def test_a_failed_gpu_load_falls_back_to_the_cpu(
    generator_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This machine has no GPU build, so the GPU side is staged: a GPU with room for the
    # model whose load fails; the CPU load that follows is real.
    from agents.runtime import llama_runtime

    gpu = GpuInfo(True, (GpuDevice("CUDA0", "Test GPU", False, 8 * GB, 8 * GB),))
    real_load = llama_runtime._load

    def load(path: Path, info, n_ctx: int, threads: int | None, layers: int):  # type: ignore[no-untyped-def]
        if layers:
            raise ModelFileError("cudaMalloc failed: out of memory")
        return real_load(path, info, n_ctx, threads, layers)

    monkeypatch.setattr(llama_runtime, "detect_gpu", lambda: gpu)
    monkeypatch.setattr(llama_runtime, "_load", load)
    with LlamaGenerator(generator_gguf, n_threads=1, context_size=512) as gen:
        assert gen.gpu_layers == 0
        assert gen.device_note.startswith("CPU: loading 19 layers onto the GPU failed")
        assert "cudaMalloc failed" in gen.device_note and gen.complete(greedy(2))


def test_choose_gpu_layers_arithmetic() -> None:
    assert choose_gpu_layers(4 * GB, 32, 8 * GB, -1)[0] == 33  # fits: all + output layer
    n, why = choose_gpu_layers(4 * GB, 32, 2 * GB, -1)  # 1.8 GB of 4 GB: 45% of 33 layers
    assert n == 14 and "14 of 33" in why and "rest on the CPU" in why
    n, why = choose_gpu_layers(4 * GB, 32, GB // 20, -1)
    assert n == 0 and why.startswith("CPU only") and "0.1 GB free" in why
    assert choose_gpu_layers(4 * GB, 32, 4_400_000_000, -1)[0] == 32  # 3.96 GB budget
    assert choose_gpu_layers(4 * GB, 32, None, -1)[0] == 33  # unknown: try all, fall back
    assert choose_gpu_layers(4 * GB, 0, None, -1)[0] == -1  # unknown layer count: all
    assert choose_gpu_layers(4 * GB, 32, GB, 10) == (
        10,
        "GPU: 10 of 33 layers offloaded (gpu_layers=10 in the settings)",
    )
    assert choose_gpu_layers(4 * GB, 32, GB, 99)[0] == 33
    assert choose_gpu_layers(4 * GB, 32, 8 * GB, 0) == (
        0,
        "CPU only: gpu_layers is 0 in the settings",
    )
    n, why = choose_gpu_layers(4 * GB, 32, 8 * GB, 20, offload_supported=False)
    assert n == 0 and why.startswith(NO_GPU_BUILD) and "gpu_layers=20" in why


def test_gpu_info_sums_free_memory() -> None:
    a = GpuDevice("CUDA0", "RTX 3060", False, 10 * GB, 12 * GB)
    b = GpuDevice("CUDA1", "RTX 3060", False, 2 * GB, 12 * GB)
    unknown = GpuDevice("Vulkan0", "Some GPU", False, None, None)
    assert GpuInfo(True, (a, b)).free_bytes == 12 * GB
    assert GpuInfo(True, (unknown,)).free_bytes is None
    assert "unknown free memory" in GpuInfo(True, (unknown,)).summary
    assert "10.0 GB free" in GpuInfo(True, (a,)).summary


def test_factory_loads_once_per_settings(tmp_path: Path, generator_gguf: Path) -> None:
    data_dir = DataDir(tmp_path / "data").create()
    settings = Settings(generator_model=str(generator_gguf), threads=1, context_size=1024)
    make = generator_factory(data_dir, settings)
    first = make()
    try:
        assert make() is first and first.context_size == 1024
        settings = Settings(generator_model=str(generator_gguf), threads=1, context_size=512)
        smaller = generator_factory(data_dir, settings)()
        assert first.closed and smaller.context_size == 512  # one model per process
        smaller.close()
    finally:
        first.close()
    missing = Settings(generator_model=str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelFileError, match="not found"):
        generator_factory(data_dir, missing)()


def test_stats_are_json_friendly(gemma: LlamaGenerator) -> None:
    gemma.complete(greedy(4))
    json.dumps(gemma.last_stats.extra)
