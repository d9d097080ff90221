"""Documents: a whole Verbatim file as rich text, with the navigation pane and the keys."""
