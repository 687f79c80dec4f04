"""Tests of the Keitaro Admin API sandbox."""
