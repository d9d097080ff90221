"""Model runtime and the Searcher/Analyzer/Writer/Reviewer loop. Imports evidence, never Qt."""
