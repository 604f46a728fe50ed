"""Finance domain: numerical reasoning over tables and text with executable FinQA programs
(FinQA / ConvFinQA / Fin-R1 style) and game-theory multiple choice (Recon style).

    foundry finance pipeline --out runs/finance        # synthetic statements -> SFT -> GRPO -> eval -> card
    foundry finance run --program "subtract(5829, 5735), divide(#0, 5735)"
"""

import os

from r1_foundry.core.schema.domain import Domain

_R = "r1_foundry.domains.finance.rewards:"

DOMAIN = Domain(
    name="finance",
    description="numerical reasoning over financial tables with executable FinQA programs; game-theory MCQ",
    rewards={"finance/numeric": _R + "numeric", "finance/program": _R + "program_reward",
             "finance/recon": _R + "recon", "finance/accuracy": _R + "accuracy",
             "finance/correct": _R + "correct",
             "finance/format": _R + "format_reward"},
    reward_presets={
        # FinQA-style: the value (numbers or an executed program), a bonus for a program that executes exactly
        "finqa": [{"name": "finance/numeric", "weight": 1.0}, {"name": "finance/program", "weight": 0.5},
                  {"name": "finance/format", "weight": 0.1}],
        # Fin-R1 (Liu et al., 2025): binary format + binary accuracy
        "fin-r1": [{"name": "finance/format", "weight": 1.0, "binary": True},
                   {"name": "finance/accuracy", "weight": 1.0}],
        # Recon: the gated multiple-choice reward
        "recon": [{"name": "finance/recon", "weight": 1.0}],
        # a mixed dataset: each task its own terms
        "mixed": [{"name": "finance/numeric", "weight": 1.0}, {"name": "finance/program", "weight": 0.5},
                  {"name": "finance/recon", "weight": 1.0}, {"name": "finance/format", "weight": 0.1}],
    },
    builders={"synthetic": "r1_foundry.domains.finance.data:build_synthetic", "finqa": "r1_foundry.domains.finance.data:load_finqa",
              "convfinqa": "r1_foundry.domains.finance.data:load_convfinqa", "mcq": "r1_foundry.domains.finance.data:load_mcq"},
    scorer="r1_foundry.domains.finance.evals:score",
    package_dir=os.path.dirname(__file__),
    answer_form="The answer is only the final result: for a calculation over the table, a program of the operations, e.g. subtract(260, 290) or divide(subtract(5, 3), 3), or the number itself; for a choice, the option letter.",
    audit_probes="r1_foundry.domains.finance.rewards:audit_probes",
    extend_cli="r1_foundry.domains.finance.cli:extend",
    check_example="r1_foundry.domains.finance.data:check_example",
    notice="Synthetic financial data about fictional companies; not investment advice.",
    limitations="Answers are checked by executing FinQA programs and comparing numbers; nothing checks that the "
                "reasoning is sound, and the synthetic statements are far simpler than real filings.",
)
