"""Import: expand dropped paths, the resumable import queue, and its typed progress events."""
