"""Legal domain: bar-exam style multiple choice with IRAC-structured answers in three layouts
(bar-llama style), checkable rule-application problems (element tests, limitation periods and
adverse possession with date arithmetic) and LegalBench-style classification.

SYNTHETIC problems from a small rule base of simplified general common-law principles (split by
rule family) and bar-llama's MBE JSON and LegalBench task folders from disk. NOT LEGAL ADVICE.

    foundry legal pipeline --out runs/legal        # data -> tiny model -> SFT -> GRPO -> eval -> card
    foundry legal deadline --start 2020-02-29 --years 3
"""

import os

from r1_foundry.core.schema.domain import Domain

_R = "r1_foundry.domains.legal.rewards:"

DOMAIN = Domain(
    name="legal",
    description="bar-exam MCQ with IRAC answers (json/markdown/numbered), rule application with dates, LegalBench classification",
    rewards={"legal/option": _R + "option", "legal/layout": _R + "layout", "legal/irac": _R + "irac",
             "legal/exact": _R + "exact", "legal/label": _R + "label", "legal/correct": _R + "correct",
             "legal/format": _R + "format_reward"},
    reward_presets={
        # bar-llama: the option, in the requested IRAC layout; the layout and IRAC terms together (0.5)
        # stay below the option (1), so a wrong option never outscores a right one
        "bar-llama": [{"name": "legal/option", "weight": 1.0}, {"name": "legal/layout", "weight": 0.25},
                      {"name": "legal/irac", "weight": 0.25}],
        "rule": [{"name": "legal/exact", "weight": 1.0}, {"name": "legal/label", "weight": 1.0},
                 {"name": "legal/format", "weight": 0.1}],
        "mixed": [{"name": "legal/option", "weight": 1.0}, {"name": "legal/layout", "weight": 0.25},
                  {"name": "legal/irac", "weight": 0.25}, {"name": "legal/exact", "weight": 1.0},
                  {"name": "legal/label", "weight": 1.0}, {"name": "legal/format", "weight": 0.1}],
    },
    builders={"synthetic": "r1_foundry.domains.legal.data:build_synthetic", "mbe": "r1_foundry.domains.legal.data:load_mbe",
              "legalbench": "r1_foundry.domains.legal.data:load_legalbench"},
    scorer="r1_foundry.domains.legal.evals:score",
    corpus_scorer="r1_foundry.domains.legal.evals:corpus_score",
    package_dir=os.path.dirname(__file__),
    answer_form="The answer is only what the question asks for: yes or no, the option letter, the label named in the question, or the JSON object it describes.",
    audit_probes="r1_foundry.domains.legal.rewards:audit_probes",
    extend_cli="r1_foundry.domains.legal.cli:extend",
    check_example="r1_foundry.domains.legal.data:check_example",
    notice="NOT LEGAL ADVICE. Trained and evaluated on SYNTHETIC problems from simplified general common-law "
           "principles unless stated otherwise.",
    intended_use="Research on verifiable rewards for legal reasoning: multiple choice with structured (IRAC) "
                 "explanations, rule application with checkable answers, classification. NOT LEGAL ADVICE: not for "
                 "advising anyone on a legal matter, predicting a case's outcome or computing a real deadline.",
    misuse="Do not rely on this model or its date arithmetic for real limitation periods or property rights: real "
           "rules differ by jurisdiction and have exceptions (tolling, discovery rules, disabilities) that the "
           "synthetic rule base leaves out. Do not present its outputs as legal advice.",
    card_sections={"Not legal advice": "Nothing this model writes is legal advice. Its training problems are synthetic "
                   "applications of simplified general common-law principles, not the law of any jurisdiction; its "
                   "answers and deadlines must not be relied on for any real matter. Consult a qualified lawyer."},
    limitations="The rule base is a handful of simplified textbook principles, each fact pattern a few template "
                "sentences; rewards check the option, the layout and the presence of IRAC sections, not whether the "
                "legal analysis is sound.",
)
