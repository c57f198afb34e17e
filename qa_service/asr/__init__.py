"""Speech recognition: faster-whisper adapter, audio loading, channels, acoustic metrics."""
