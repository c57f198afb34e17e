"""The pipeline of one interaction: intake, spool, transcription, scoring, and its visible state."""
