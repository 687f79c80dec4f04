"""The node host: items, descriptions, parameters, expressions, plugins and the workflow engine.

Nothing in this package knows about Keitaro; nodes reach it through plugin hooks.
"""
