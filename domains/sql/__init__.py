"""Text-to-SQL domain: synthetic SQLite data, Spider/BIRD loaders, a sandboxed executor,
execution-based rewards and evals.

    foundry sql pipeline --out runs/sql            # data -> tiny model -> SFT -> self-DPO -> eval -> card
    foundry sql pipeline --recipe grpo --out runs/sql-grpo   # SFT -> GRPO (recipes/grpo.yaml)
    foundry sql exec --db some.sqlite --sql "SELECT 1" --json
"""

import os

from r1_foundry.core.schema.domain import Domain

_R = "r1_foundry.domains.sql.rewards:"

DOMAIN = Domain(
    name="sql",
    extra="sql",  # pip extra its rewards need (named in exports)
    description="text-to-SQL with execution-verified rewards (Spider/BIRD semantics)",
    rewards={
        "sql/execution": _R + "execution", "sql/correct": _R + "correct", "sql/syntax": _R + "syntax", "sql/schema_linking": _R + "schema_linking",
        "sql/ngram": _R + "ngram", "sql/format": _R + "format_reward", "sql/tiered": _R + "tiered",
        "sql/arctic": _R + "arctic",
    },
    reward_presets={
        # Reasoning-SQL (Pourreza et al., 2025) without the LLM judge. A correct query earns at
        # least 3 + 1 + 0.5 = 4.5 (execution, syntax, format floor of an extractable answer); a
        # wrong one at most 1 + 1 + 1 + 1 = 4, so no wrong query outscores a correct one.
        "reasoning-sql": [
            {"name": "sql/execution", "weight": 3.0}, {"name": "sql/syntax", "weight": 1.0},
            {"name": "sql/schema_linking", "weight": 1.0}, {"name": "sql/ngram", "weight": 1.0},
            {"name": "sql/format", "weight": 1.0},
        ],
        "sql-r1": [{"name": "sql/tiered", "weight": 1.0}],
        "arctic": [{"name": "sql/arctic", "weight": 1.0}],
    },
    builders={
        "synthetic": "r1_foundry.domains.sql.data:build_synthetic",
        "spider": "r1_foundry.domains.sql.data:load_spider",
        "bird": "r1_foundry.domains.sql.data:load_bird",
    },
    scorer="r1_foundry.domains.sql.evals:score",
    package_dir=os.path.dirname(__file__),
    file_columns={"db_path": "SQLite format 3\x00"},
    answer_form="The answer is one SQLite query for the schema given, nothing else.",
    audit_probes="r1_foundry.domains.sql.rewards:audit_probes",
    extend_cli="r1_foundry.domains.sql.cli:extend",
    check_example="r1_foundry.domains.sql.data:check_example",
    limitations="Generated SQL must run in a sandbox (read-only, time-limited), as R1 Foundry's verifier does; "
                "never against a production database.",
)
