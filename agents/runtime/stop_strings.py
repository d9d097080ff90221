"""Stop strings applied on the client: a model server may ignore the request's `stop`."""

from __future__ import annotations


class StopScanner:
    """Text up to the first stop string. The last (longest stop - 1) characters wait for the
    next piece, since a stop string may arrive split over two pieces."""

    def __init__(self, stops: tuple[str, ...]) -> None:
        self._stops = [s for s in stops if s]
        self._keep = max((len(s) for s in self._stops), default=1) - 1
        self._buffer = ""
        self.hit = False

    def push(self, piece: str) -> str:
        self._buffer += piece
        found = [i for i in (self._buffer.find(s) for s in self._stops) if i >= 0]
        if found:
            out, self._buffer, self.hit = self._buffer[: min(found)], "", True
            return out
        cut = len(self._buffer) - self._keep
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return out

    def flush(self) -> str:
        out, self._buffer = self._buffer, ""
        return out
