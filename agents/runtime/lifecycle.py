"""One shape for objects that hold a model: close() frees it, `with` and GC call close()."""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Self


class ModelHolder:
    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # At interpreter shutdown llama_cpp may already be torn down.
        with contextlib.suppress(Exception):
            self.close()
