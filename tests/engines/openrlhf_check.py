"""Run under the OpenRLHF environment (tests/engines/env.py): our OpenRLHF export through OpenRLHF's code.

    python openrlhf_check.py JOB.json

JOB: a list of {"argv": [...the README's train_ppo_ray arguments...], "tokenizer": DIR, "cases": [[row, completion], ...],
"micro_batch": 4, "out": FILE}. Parses the arguments with train_ppo_ray's own parser and checks (its
``__main__`` block, run with ``train`` captured: the module itself imports DeepSpeed and vLLM), reads the
prompt file with ``blending_datasets`` and ``PromptDataset`` (chat template applied by the tokenizer), runs
``SingleTurnAgentExecutor.execute`` per case with a stand-in for the vLLM engine that returns the completion's
tokens followed by EOS, turns each response into an ``Experience`` as OpenRLHF's samples generator does,
and batches them into micro-batches that mix tasks (``make_experience_batch`` / ``split_experience_batch``,
what the trainer does). Writes each case's reward, score and extra_logs keys."""

import asyncio
import json
import os
import sys
import types

import openrlhf


def parse_args(argv: list[str]):
    """train_ppo_ray's own parser and argument checks, with ``train`` captured instead of run."""
    import argparse

    path = os.path.join(os.path.dirname(openrlhf.__file__), "cli", "train_ppo_ray.py")
    source = open(path).read()
    main_block = source[source.index('if __name__ == "__main__":'):]
    captured = {}
    from datetime import datetime

    namespace = {"__name__": "__main__", "argparse": argparse, "os": os, "datetime": datetime,
                 "train": lambda args: captured.setdefault("args", args)}
    old = sys.argv
    sys.argv = ["train_ppo_ray.py", *argv]
    try:
        exec(compile(main_block, path, "exec"), namespace)  # OpenRLHF's code, not model text
    finally:
        sys.argv = old
    return captured["args"]


def stub_vllm() -> None:
    """The generation engine is the stand-in below; the modules that import vLLM get empty stand-ins."""
    vllm = types.ModuleType("vllm")

    class SamplingParams:
        def __init__(self, **kw):
            self.__dict__.update({"max_tokens": None, "logprobs": None, **kw})

    vllm.SamplingParams = SamplingParams
    sys.modules.setdefault("vllm", vllm)
    engine = types.ModuleType("openrlhf.trainer.ray.vllm_engine")
    engine.batch_vllm_engine_call = None
    sys.modules.setdefault("openrlhf.trainer.ray.vllm_engine", engine)


class StandInEngine:
    """Returns the case's completion tokens plus EOS, as vLLM does when generation stops at EOS."""

    def __init__(self, ids):
        self.ids = ids

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        out = types.SimpleNamespace(token_ids=list(self.ids), finish_reason="stop", logprobs=None)
        return types.SimpleNamespace(outputs=[out])


def main(job_file: str) -> None:
    for job in json.load(open(job_file)):  # one process for every domain's job: the engines import once
        check(job)


def check(job: dict) -> None:
    args = parse_args(job["argv"])
    stub_vllm()
    from openrlhf.datasets import PromptDataset
    from openrlhf.datasets.utils import blending_datasets
    from openrlhf.trainer.ppo_utils.experience import make_experience_batch, split_experience_batch
    from openrlhf.trainer.ppo_utils.samples_generator import SamplesGenerator
    from openrlhf.utils.agent import SingleTurnAgentExecutor
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(job["tokenizer"])
    strategy = types.SimpleNamespace(args=args, print=lambda *a, **k: None, is_rank_0=lambda: True)
    data = blending_datasets(args.data.prompt_dataset, None, strategy, dataset_split="train")
    dataset = PromptDataset(data, tokenizer, strategy, input_template=args.data.input_template)
    executor = SingleTurnAgentExecutor(remote_rm_url=args.reward.remote_url)
    from vllm import SamplingParams

    responses = []
    for row, completion in job["cases"]:
        _, prompt, label, _ = dataset[row]
        ids = tokenizer(completion, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        responses.append(asyncio.run(executor.execute(prompt, label, SamplingParams(max_tokens=len(ids) + 8),
                                                      4096, tokenizer, StandInEngine(ids))))
    experiences = [SamplesGenerator._process_response_into_experience(None, r, max_len=4096) for r in responses]
    micro = job["micro_batch"]
    batched = 0
    for start in range(0, len(experiences) if micro else 0, micro or 1):  # the trainer's micro-batches: several tasks in one
        batch = make_experience_batch(experiences[start:start + micro])
        assert len(split_experience_batch(batch)) == len(experiences[start:start + micro])
        batched += 1
    json.dump({"remote_url": args.reward.remote_url, "input_key": args.data.input_key, "label_key": args.data.label_key,
               "rewards": [None if r["reward"] is None else float(r["reward"]) for r in responses],
               "scores": [None if r["scores"] is None else float(r["scores"]) for r in responses],
               "extra_keys": [sorted(r["extra_logs"]) for r in responses], "micro_batches": batched,
               "queries": [tokenizer.decode(r["observation_tokens"], skip_special_tokens=False)[-80:]
                           for r in responses]},
              open(job["out"], "w"))


if __name__ == "__main__":
    main(sys.argv[1])
