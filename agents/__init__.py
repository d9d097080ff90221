"""The AI side: `runtime/` (llama.cpp), `models/` (model files), `team/` (the Searcher,
Analyzer, Writer and Reviewer loop) and `cutter/`. Imports evidence, never Qt or app."""
