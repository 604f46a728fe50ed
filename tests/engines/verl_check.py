"""Run under the verl environment (tests/engines/env.py): our verl export through verl's own code.

    python verl_check.py JOB.json

JOB: a list of {"overrides": [...the README's verl overrides...], "tokenizer": DIR, "cases": [[row, completion], ...],
"out": FILE}. Composes verl's trainer config (``ppo_trainer``) with the overrides, reads the exported
parquet with verl's ``RLHFDataset``, batches rows with verl's ``collate_fn`` into a ``DataProto`` whose
responses are the completions tokenized, and scores them with verl's ``RewardLoopWorker`` (the worker
``RewardLoopManager`` runs on Ray; here in-process) through the configured reward manager. Writes per
case the score, the reward-extra keys and the response text verl decoded."""

import json
import os
import sys

import torch
import verl
from hydra import compose, initialize_config_dir
from verl import DataProto
from verl.experimental.reward_loop import RewardLoopWorker
from verl.utils import hf_tokenizer
from verl.utils.dataset.rl_dataset import RLHFDataset, collate_fn


def main(job_file: str) -> None:
    for job in json.load(open(job_file)):  # one process for every domain's job: the engines import once
        check(job)


def check(job: dict) -> None:
    config_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        cfg = compose(config_name="ppo_trainer",
                      overrides=[*job["overrides"], f"actor_rollout_ref.model.path={job['tokenizer']}"])
    tokenizer = hf_tokenizer(job["tokenizer"])
    dataset = RLHFDataset(data_files=cfg.data.train_files, tokenizer=tokenizer, config=cfg.data)
    cases = job["cases"]
    rows = [dataset[row] for row, _ in cases]
    batch = collate_fn(rows)
    eos = tokenizer.eos_token_id
    responses = [tokenizer(c, add_special_tokens=False)["input_ids"] + [eos] for _, c in cases]  # as rollout ends
    width = max(len(r) for r in responses)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    resp = torch.tensor([r + [pad] * (width - len(r)) for r in responses])
    resp_mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in responses])
    prompt_mask = torch.ones(len(cases), 4, dtype=torch.long)  # prompt side: only its length matters to the manager
    batch.pop("dummy_tensor", None)
    data = DataProto.from_single_dict({**batch, "responses": resp,
                                       "attention_mask": torch.cat([prompt_mask, resp_mask], dim=1)})
    worker = RewardLoopWorker(cfg)
    outputs = worker.loop.run_until_complete(worker.compute_score_batch(data))
    decoded = [tokenizer.decode(r, skip_special_tokens=True) for r in responses]
    json.dump({"manager": cfg.reward.reward_manager.name, "path": cfg.reward.custom_reward_function.path,
               "scores": [float(o["reward_score"]) for o in outputs],
               "extra_keys": [sorted(o["reward_extra_info"]) for o in outputs], "decoded": decoded},
              open(job["out"], "w"))


if __name__ == "__main__":
    main(sys.argv[1])
