"""R1 Foundry core (imported as ``r1_foundry.core``; the folder is ``core/``): the recipe schema,
answer reading, data, models and generation, rewards, evaluation, training stages over TRL, the
pipeline with its model card, and the CLI. Core never imports a particular domain; domains are
discovered (:mod:`r1_foundry.core.schema.domain`). The layers and the rule of which package may
import which: ``docs/architecture.md``."""

__version__ = "0.1.0"

import logging as _logging

# bitsandbytes (on CPUs with AVX512-BF16) tries to fetch a kernel from the hub through the
# optional `kernels` package, which we do not install (no hub access at run time), and warns on
# every import. Its pure-CPU fallback is what runs; the warning tells the user nothing to do.
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)
