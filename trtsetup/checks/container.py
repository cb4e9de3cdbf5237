"""Containers: does the NVIDIA runtime provide what the image expects from the host?"""

from .base import Check, make

_host_libs = make("container-host-libs", "Libraries the NVIDIA container runtime mounts from the host are present")


def check_host_libs(ctx):
    container = ctx.facts.container
    if not container.runtime:
        return _host_libs.skip("not in a container")
    if not container.host_mounted:
        return _host_libs.ok("{} container{}".format(
            container.runtime, " ({})".format(container.image) if container.image else ""))
    if not container.host_mounts_missing:
        return _host_libs.ok("{} host libraries mounted by the NVIDIA runtime".format(len(container.host_mounted)))
    missing = container.host_mounts_missing
    return _host_libs.fail(
        "{} of {} host libraries are missing (e.g. {}): the container runs without the NVIDIA runtime".format(
            len(missing), len(container.host_mounted), missing[0]),
        fix=("docker run --runtime nvidia ...   (for `docker build`, set \"default-runtime\": \"nvidia\" in "
             "/etc/docker/daemon.json and restart docker)"),
        detail=", ".join(missing[:20]))


# -- registration (listed in order by checks/__init__.py) --

HOST_LIBS = Check.of(_host_libs, check_host_libs)
