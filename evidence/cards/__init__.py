"""Cards: the card type with its marks, cites, card storage and the outline file."""
