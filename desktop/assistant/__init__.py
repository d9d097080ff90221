"""The Assistant panel: run a task, the live steps model."""
