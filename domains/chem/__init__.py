"""Chemistry domain: molecular reasoning with RDKit-verified rewards (MolReasoner / ether0 style).

Synthetic tasks on the molecules that ship inside RDKit (formula, properties, ring counts,
functional groups, canonical SMILES, constrained design, text<->molecule), split by scaffold;
ChEBI-20 and SMILES+property tables from disk; a sandboxed RDKit analyser (child process,
deadline, cache) behind every reward and eval metric.

    foundry chem pipeline --out runs/chem          # data -> tiny model -> SFT -> GRPO -> eval -> card
    foundry chem mol --smiles "c1ccccc1O" --json   # what the verifier sees
"""

import os

from r1_foundry.core.schema.domain import Domain

_R = "r1_foundry.domains.chem.rewards:"

DOMAIN = Domain(
    name="chem",
    extra="chem",  # pip extra its rewards need (named in exports)
    description="molecular reasoning with RDKit-verified rewards (MolReasoner / ether0 style)",
    rewards={
        "chem/validity": _R + "validity", "chem/exact": _R + "exact", "chem/tanimoto": _R + "tanimoto",
        "chem/formula": _R + "formula", "chem/property": _R + "property_reward", "chem/constraint": _R + "constraint",
        "chem/format": _R + "format_reward", "chem/molreasoner": _R + "molreasoner", "chem/ether0": _R + "ether0",
        "chem/correct": _R + "correct",
    },
    reward_presets={
        # ether0-style (Narayanan et al., 2025): one binary verdict per task, a reason code for every
        # failure; a small format term keeps the think/answer layout.
        "ether0": [{"name": "chem/ether0", "weight": 1.0}, {"name": "chem/format", "weight": 0.1}],
        # MolReasoner (text -> molecule): invalid 0, exact 2, else 0.5 + 1.5 x mean fingerprint
        # similarity. It applies to tasks with a gold molecule (text2mol, canonical; ChEBI-20);
        # for mixed tasks add the ether0 verdict, which applies to every task.
        "molreasoner": [{"name": "chem/molreasoner", "weight": 1.0}],
        "molreasoner+ether0": [{"name": "chem/molreasoner", "weight": 1.0}, {"name": "chem/ether0", "weight": 1.0},
                               {"name": "chem/format", "weight": 0.1}],
    },
    builders={
        "synthetic": "r1_foundry.domains.chem.data:build_synthetic",
        "chebi20": "r1_foundry.domains.chem.data:load_chebi20",
        "property": "r1_foundry.domains.chem.data:load_property",
    },
    scorer="r1_foundry.domains.chem.evals:score",
    corpus_scorer="r1_foundry.domains.chem.evals:corpus_score",
    prediction_readers={"molt5": "r1_foundry.domains.chem.evals:read_molt5_tsv"},
    package_dir=os.path.dirname(__file__),
    answer_form="The answer is only what the question asks for: a SMILES string, a number, a molecular formula, yes or no, or a one-sentence description of the molecule.",
    audit_probes="r1_foundry.domains.chem.rewards:audit_probes",
    extend_cli="r1_foundry.domains.chem.cli:extend",
    check_example="r1_foundry.domains.chem.data:check_example",
    limitations="Chemistry answers are checked by RDKit only (validity, identity, computed properties); "
                "nothing here says a proposed molecule is synthesisable, stable or safe.",
)
