"""A run's datasets (build, save, load) and reading public datasets from the hub or local files."""
