"""Reading a completion: the ``<think>``/``<answer>`` layout, final answers, numbers, option letters, lists."""
