"""The Outline panel: the Pocket/Hat/Block/Tag tree, its model, export to Word."""
