"""How many compilers a source build may run at once (MAX_JOBS), from memory and CPUs.

One place for torchvision's and torch2trt's builds: a C++ file that includes torch's headers
peaks near 1.5 GiB, so a 4 GB Nano that runs one compiler per core swaps itself to death.
"""

from typing import Optional

MIB_PER_JOB = 1536


def max_jobs(ram_mib, swap_mib, cpus):
    # type: (Optional[int], Optional[int], Optional[int]) -> int
    """Parallel compile jobs: one per 1.5 GiB of RAM+swap, at most one per CPU, at least 1."""
    jobs = cpus or 1
    if ram_mib:
        jobs = min(jobs, (ram_mib + (swap_mib or 0)) // MIB_PER_JOB)
    return max(1, jobs)
