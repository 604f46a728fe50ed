"""Domain packages. Each sub-package exposes ``DOMAIN`` (a :class:`core.domain.Domain`) in its
``__init__``; core discovers them by walking this folder (and the ``r1_foundry.domains``
entry-point group for third-party domains)."""
