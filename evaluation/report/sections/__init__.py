"""Report sections, one module per notebook; each function shows one section of the report."""
