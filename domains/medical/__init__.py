"""Medical domain: multiple-choice, ranked-differential, yes/no/maybe and calculation reasoning
with rule-verified rewards (AlphaMed / "Single Answer is Not Enough" / MedCalc-Bench style).

SYNTHETIC vignettes from a small knowledge base written here (split by condition: test
vignettes describe conditions never seen in training) and MedQA, MedMCQA, PubMedQA, DDXPlus and
a generic ranked JSONL from disk. Not for clinical use.

    foundry medical pipeline --out runs/medical        # data -> tiny model -> SFT -> GRPO -> eval -> card
    foundry medical calc bmi weight=70 height=1.75     # a calculator's formula (also: foundry medical kb)
"""

import os

from r1_foundry.core.schema.domain import Domain

_R = "r1_foundry.domains.medical.rewards:"
_LIST = [{"name": "medical/hit", "weight": 0.5}, {"name": "medical/rr", "weight": 0.3},
         {"name": "medical/recall", "weight": 0.2}, {"name": "medical/list_penalty", "weight": 1.0},
         {"name": "medical/list_format", "weight": 0.1}]

DOMAIN = Domain(
    name="medical",
    description="medical MCQ, ranked differentials, yes/no/maybe and calculations with rule-verified rewards",
    rewards={
        "medical/mcq": _R + "mcq", "medical/ynm": _R + "ynm", "medical/calc": _R + "calc",
        "medical/correct": _R + "correct", "medical/format": _R + "format_reward",
        "medical/list_format": _R + "list_format", "medical/hit": _R + "hit", "medical/rr": _R + "rr",
        "medical/recall": _R + "recall", "medical/list_penalty": _R + "list_penalty", "medical/ranked": _R + "ranked",
    },
    reward_presets={
        # AlphaMed (Liu et al., 2025): RL with a rule-based accuracy reward on MCQ, no SFT, plus format
        "alphamed": [{"name": "medical/mcq", "weight": 1.0}, {"name": "medical/format", "weight": 0.1}],
        # "Single Answer is Not Enough": the ranked-list terms, each logged on its own
        "ranked": _LIST,
        # every task of a mixed dataset gets its own terms (the others return None)
        "mixed": [{"name": "medical/mcq", "weight": 1.0}, {"name": "medical/ynm", "weight": 1.0},
                  {"name": "medical/calc", "weight": 1.0}, *_LIST, {"name": "medical/format", "weight": 0.1}],
    },
    builders={
        "synthetic": "r1_foundry.domains.medical.data:build_synthetic",
        "medqa": "r1_foundry.domains.medical.data:load_medqa",
        "medmcqa": "r1_foundry.domains.medical.data:load_medmcqa",
        "pubmedqa": "r1_foundry.domains.medical.data:load_pubmedqa",
        "ddxplus": "r1_foundry.domains.medical.data:load_ddxplus",
        "ranked": "r1_foundry.domains.medical.data:load_ranked",
    },
    scorer="r1_foundry.domains.medical.evals:score",
    corpus_scorer="r1_foundry.domains.medical.evals:corpus_score",
    package_dir=os.path.dirname(__file__),
    answer_form="The answer is only what the question asks for: the option letter, yes, no or maybe, the number, or the numbered differential list.",
    audit_probes="r1_foundry.domains.medical.rewards:audit_probes",
    extend_cli="r1_foundry.domains.medical.cli:extend",
    check_example="r1_foundry.domains.medical.data:check_example",
    notice="Not for clinical use. Trained and evaluated on SYNTHETIC medical data unless stated otherwise.",
    intended_use="Research on verifiable rewards for medical reasoning (multiple choice, ranked differentials, "
                 "yes/no/maybe, calculations). NOT FOR CLINICAL USE: not for diagnosis, treatment or any decision "
                 "about a patient, and not medical advice.",
    limitations="The synthetic vignettes come from a small hand-written knowledge base (a few dozen textbook "
                "conditions, one phrasing family); real presentations are far more varied. Rewards check the "
                "answer's form and its match to the gold label, not the soundness of the reasoning.",
)
