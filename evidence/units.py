"""Sizes as people read them. Here, not beside the GPU code, so that showing a file's size
never loads llama.cpp."""

from __future__ import annotations


def gb(n: int | float) -> str:
    return f"{n / 1e9:.1f} GB"
