"""Human review: sampling into the queue, reviewing and releasing evaluations, disputes."""
