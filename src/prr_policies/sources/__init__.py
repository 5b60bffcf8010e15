"""Adapters: one module per source, turning raw input into facts. Each holds its source's quirks."""
