"""Test and benchmark helpers (not shipped): a scripted upstream server and a real local model."""
