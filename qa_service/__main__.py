"""`python -m qa_service` is the same as the `qa-service` console script."""

from qa_service.cli import main

raise SystemExit(main())
