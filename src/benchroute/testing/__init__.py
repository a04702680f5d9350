"""Test and benchmark helpers that ship with the package: a scripted upstream and a real local model."""
