"""Domain operations: ``verb_noun`` functions that flush but never commit."""
