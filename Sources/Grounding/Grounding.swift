// The Grounding module; its types arrive with the work that builds it.
