// The Query module; its types arrive with the work that builds it.
