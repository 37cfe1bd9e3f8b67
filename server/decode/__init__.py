"""Barcodes in pictures: the decoder cascade (engine.py), upload checks (uploads.py) and POST /api/decode."""
