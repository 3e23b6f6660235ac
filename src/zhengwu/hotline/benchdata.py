"""Bench data for this module (called by ``zhengwu.benchdata``): not generated yet."""


def generate(ctx) -> int:
    return 0
