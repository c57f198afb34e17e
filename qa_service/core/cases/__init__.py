"""Cases and outcomes: why a customer contacted, how it ended, which contacts are one matter, and
whether what the agent said matches what the booking and payment systems did."""
