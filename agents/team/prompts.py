"""Prompt templates from resources/prompts: the first paragraph is the instruction, the rest
few-shot examples and the question. Base models get it as one completion prompt; chat models
get the instruction as the system turn, through their own template."""

from __future__ import annotations

import re

from agents.runtime.generation import Generator
from resources import resource_path

_FIELD = re.compile(r"\{(\w+)\}")


def render(generator: Generator, name: str, end: str = "", **fields: str) -> str:
    """The prompt; `end` follows the last line (a newline before a JSON answer, nothing
    after "Tag:" where the answer continues the line)."""
    template = resource_path("prompts", f"{name}.txt").read_text(encoding="utf-8")
    return render_text(generator, template, end, **fields)


def render_text(generator: Generator, template: str, end: str = "", **fields: str) -> str:
    """`render` for a template given as text (bench/tag_eval.py keeps an old prompt)."""
    template = template.rstrip("\n")
    # One pass: user text and evidence are never scanned again, so a "{side}" inside them
    # stays text (and JSON examples, whose braces hold quotes, are left alone).
    template = _FIELD.sub(lambda m: fields.get(m.group(1), m.group(0)), template)
    if not generator.has_chat_template:
        return template + end
    instruction, _, rest = template.partition("\n\n")
    return generator.chat_prompt(instruction, rest)
