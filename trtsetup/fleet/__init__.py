"""Fleets: what many devices reported, read on the controller.

``load`` reads the JSON documents that ``trtsetup`` wrote on each device (doctor, plan,
install, self-test, bundle manifest) and groups them by device; ``collect`` turns one
device's documents into one row (pure); ``render`` writes the rows as text or JSON and
``page`` as one static HTML page.
"""
