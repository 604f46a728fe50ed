"""Evaluation: generate -> score -> aggregate (:mod:`.runner`), predictions files, the held-out monitor."""
