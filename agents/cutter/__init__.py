"""The cutter: which words of a card body to underline and highlight."""
