"""Tests of the care pathway, one module per source module of `painpath.pathway`."""
