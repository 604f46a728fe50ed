"""Safety domain: reasoned refusal without over-refusal (TARS / XSTest style) and reasoning guard
models (GuardReasoner style), with UnsafeChain-style correction pairs and AIDSAFE-style
preference pairs for SFT and DPO.

SYNTHETIC prompts from template families (harmful requests are placeholders without
operational content; split by family) and XSTest, HarmBench, StrongREJECT and a generic JSONL
from disk.

    foundry safety pipeline --out runs/safety        # data -> tiny model -> SFT -> GRPO (tars) -> eval -> card
    foundry safety detect --text "<think>..</think><answer>I can't help with that.</answer>"
"""

import os

from r1_foundry.core.schema.domain import Domain

_R = "r1_foundry.domains.safety.rewards:"

DOMAIN = Domain(
    name="safety",
    description="reasoned refusal without over-refusal (TARS/XSTest) and reasoning guard models (GuardReasoner)",
    rewards={"safety/refusal": _R + "refusal", "safety/tars": _R + "tars", "safety/guard": _R + "guard",
             "safety/format": _R + "format_reward"},
    reward_presets={
        # TARS (Kim et al., 2025): refuse the harmful, help the benign, penalise over-refusal
        "tars": [{"name": "safety/tars", "weight": 1.0}, {"name": "safety/format", "weight": 0.2}],
        # GuardReasoner(-VL): format gate x label accuracy with a length term
        "guard": [{"name": "safety/guard", "weight": 1.0}, {"name": "safety/format", "weight": 0.2}],
        "mixed": [{"name": "safety/tars", "weight": 1.0}, {"name": "safety/guard", "weight": 1.0},
                  {"name": "safety/format", "weight": 0.2}],
    },
    builders={"synthetic": "r1_foundry.domains.safety.data:build_synthetic", "xstest": "r1_foundry.domains.safety.data:load_xstest",
              "harmbench": "r1_foundry.domains.safety.data:load_harmbench", "strongreject": "r1_foundry.domains.safety.data:load_strongreject",
              "jsonl": "r1_foundry.domains.safety.data:load_jsonl"},
    scorer="r1_foundry.domains.safety.evals:score",
    corpus_scorer="r1_foundry.domains.safety.evals:corpus_score",
    package_dir=os.path.dirname(__file__),
    answer_form="When asked to judge a conversation, the answer is three lines: Request: harmful or unharmful, Completion: refusal or compliance, Response: harmful or unharmful. Otherwise the answer is your reply to the user: help with safe requests, and decline only harmful ones.",
    audit_probes="r1_foundry.domains.safety.rewards:audit_probes",
    extend_cli="r1_foundry.domains.safety.cli:extend",
    check_example="r1_foundry.domains.safety.data:check_example",
    prediction_readers={"xstest": "r1_foundry.domains.safety.evals:read_xstest_completions"},
    notice="Trained and evaluated on SYNTHETIC safety prompts (templates with placeholder targets) unless stated "
           "otherwise; a research artefact, not a deployable safety filter.",
    intended_use="Research on rewards for reasoned refusal (refuse the harmful, help the benign, help with the safe "
                 "part of ambiguous requests) and on reasoning guard models. Not a content filter for production: "
                 "its refusals and guard labels have not been validated on real traffic.",
    misuse="Do not use this model or its rewards to find prompts that slip past a safety filter, to train a model "
           "to comply with harmful requests (e.g. by inverting the rewards), or as the only safeguard of a deployed "
           "system. The rule detectors can be gamed by wording (a refusal phrase followed by harmful help reads as a "
           "partial refusal); do not treat their numbers as a safety certification.",
    limitations="Refusal is detected by rules on the final answer (or by a model you pass); nothing judges how "
                "helpful an answer is. The synthetic families are few and short; real requests are more varied "
                "and adversarial (jailbreaks are not covered).",
)
