"""The demo calls' recordings (FLAC) with their timing truth: package data, see `simulator.shipped`."""
