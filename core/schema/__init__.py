"""What recipes, stage kinds, suites and domain manifests look like (dataclasses and their validation)."""
