"""Plain-Python reading, validating and rendering of the content tree (no Django imports)."""
