"""Boots each stage's kernel under Xen and compares its console with the recorded transcript."""
