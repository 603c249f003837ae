"""Builders shared by the tests: stores, raw exports, planted identifiers, the CI world.

Test modules import from here (``from support.stores import write_tiny_store``; pytest puts
``tests/`` on the path), never from another test module or a conftest. Fixtures stay in the
``conftest.py`` files, which call these builders.
"""
