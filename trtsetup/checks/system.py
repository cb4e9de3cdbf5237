"""Memory and disk for building torchvision and torch2trt."""

from .base import Check, make

_memory = make("sys-memory-for-build", "RAM + swap is enough to compile torchvision/torch2trt")
_disk = make("sys-disk-for-build", "Free disk where builds and downloads go")

# A torchvision build with one job peaks around 1.5 GiB; a 4 GB Nano without swap gets its
# cc1plus killed (torch2trt-install.md F-catalog: "cc1plus killed").
MIN_BUILD_MEMORY_MIB = 6 * 1024
MIN_FREE_DISK_MIB = 6 * 1024


def check_memory(ctx):
    system = ctx.facts.system
    if system.ram_mib is None:
        return _memory.skip("memory size unknown")
    total = system.ram_mib + (system.swap_mib or 0)
    summary = "{:.1f} GiB RAM + {:.1f} GiB swap".format(system.ram_mib / 1024.0, (system.swap_mib or 0) / 1024.0)
    if total >= MIN_BUILD_MEMORY_MIB:
        return _memory.ok(summary)
    need = max(2048, MIN_BUILD_MEMORY_MIB - system.ram_mib)
    gib = (need + 1023) // 1024
    return _memory.warn(
        summary + ": builds may be killed for lack of memory",
        fix=("sudo fallocate -l {g}G /var/swapfile && sudo chmod 600 /var/swapfile && sudo mkswap /var/swapfile "
             "&& sudo swapon /var/swapfile && echo '/var/swapfile swap swap defaults 0 0' | sudo tee -a /etc/fstab"
             ).format(g=gib))


def check_disk(ctx):
    system = ctx.facts.system
    if system.disk_free_mib is None:
        return _disk.skip("free disk unknown")
    where = system.disk_path or "the cache directory"
    summary = "{:.1f} GiB free in {}".format(system.disk_free_mib / 1024.0, where)
    if system.disk_free_mib >= MIN_FREE_DISK_MIB:
        return _disk.ok(summary)
    return _disk.warn(summary + " (builds need about {} GiB)".format(MIN_FREE_DISK_MIB // 1024),
                      fix="Free space (`sudo apt clean`, remove old wheels in ~/.cache/pip) or point "
                          "XDG_CACHE_HOME at a larger disk (an NVMe/SD card).")


# -- registration (listed in order by checks/__init__.py) --

MEMORY = Check.of(_memory, check_memory)
DISK = Check.of(_disk, check_disk)
