"""Demo seeding: a constructed tenant, coaching data and report days.  A dev tool beside the
simulator: only the CLI and tests import it (an import contract says so)."""
