"""Report layer: what a reader sees.

``edition`` (the handle a notebook opens), ``findings``, ``disclosure`` (small-cell control),
``formatting``, ``figures``, ``tables`` (table specs) and ``sections`` (one module per notebook).
"""
