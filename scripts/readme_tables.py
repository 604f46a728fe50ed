"""Fill the README sections that come from committed files (placeholder until written)."""
