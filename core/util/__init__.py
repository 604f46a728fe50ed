"""Standard-library-level helpers every layer may use: errors, consoles, files, registries, pipes, launching."""
