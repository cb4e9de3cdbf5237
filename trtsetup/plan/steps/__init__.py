"""Install steps, one kind per module: ``apt`` (apt-prerequisites), ``pip`` (torch-install),
``torchvision`` (torchvision-install); ``download`` fetches and verifies wheels for them.

The torch2trt steps live in ``trtsetup/torch2trt/steps.py`` and the self-test step in
``trtsetup/selftest/step.py``; ``trtsetup/step_kinds.py`` lists every step class and builds a
plan's steps from their specs.
"""
