"""What every layer of govaudit shares: the located-YAML reader, the vocabularies, the store.

Nothing here imports the crawler or the auditor, so both may import it; the layer order
(govaudit → crawler → audits.normalize → rules → history → report → mail → schedule → CLI) is
checked by tests/architecture/test_layers.py.
"""
