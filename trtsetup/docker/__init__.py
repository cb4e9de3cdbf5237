"""Docker on Jetson and x86: judging the NVIDIA container stack, the CSV mount lists and the
images that fit a host. Pure functions of facts and recipes; the ``docker`` command
(``commands/docker.py``) and the doctor's docker checks (``checks/docker.py``) use them.
Only ``csv_write`` changes the system, and only when ``docker csv --write`` asks."""
