"""R1 Foundry core: model loading, training stages over TRL, rewards, generation, evaluation,
model cards and the CLI framework. Core never imports a particular domain; domains are
discovered (see :mod:`core.domain`)."""

__version__ = "0.1.0"

import logging as _logging

# bitsandbytes (on CPUs with AVX512-BF16) tries to fetch a kernel from the hub through the
# optional `kernels` package, which we do not install (no hub access at run time), and warns on
# every import. Its pure-CPU fallback is what runs; the warning tells the user nothing to do.
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)
