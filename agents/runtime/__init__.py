"""The llama.cpp runtime: generator and embedder behind small interfaces, GPU, GGUF reading."""
