"""Pure domain rules: lifecycle, deadlines, Korean text and pacing; no I/O and no clock reads."""
