"""The Library panel: drop and import, progress, results, the sources list, the index status."""
