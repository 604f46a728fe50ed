.PHONY: setup test lint bench smoke cards cards-pretrained audit methods

setup:
	bash scripts/setup.sh sql,chem,dev,smollm2

test: setup
	.venv/bin/python -m pytest -q

lint:
	.venv/bin/ruff check core domains tests bench

bench:
	.venv/bin/python bench/sql_reward_throughput.py
	.venv/bin/python bench/eval_generation.py
	.venv/bin/python bench/grpo_step.py
	.venv/bin/python bench/chem_reward_throughput.py
	.venv/bin/python bench/generation.py
	.venv/bin/python bench/qlora.py

smoke:  # every discovered domain's smoke pipeline
	for d in $$(.venv/bin/foundry ls --names); do .venv/bin/foundry $$d pipeline --preset smoke --out runs/smoke-$$d --overwrite || exit 1; done

# every domain's default pipeline -> cards/<domain>/ (card, results.json, PNGs, audit) and the READMEs' tables
cards:
	bash scripts/make_cards.sh

# the committed cards/<domain>-pretrained/ (SmolLM2-135M-Instruct, LoRA; about 20-25 min each on 2 CPU cores)
cards-pretrained:
	bash scripts/make_cards.sh --pretrained

audit:
	for d in $$(.venv/bin/foundry ls --names); do .venv/bin/foundry $$d audit || exit 1; done

methods:  # the training-methods matrix at CI size; the full table: docs/methods.md
	.venv/bin/python bench/methods.py --domain sql --preset mini --seeds 0 --out runs/methods-mini
