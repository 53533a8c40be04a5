"""Suomi.fi Palvelutietovaranto (PTV) open API JSON: validation, import and export.

`schema` reads and checks the JSON, `importer` writes it into the catalogue (all or nothing,
idempotent), `exporter` writes the catalogue back in the same shape, `coordinates` converts
PTV's ETRS-TM35FIN coordinates.
"""
