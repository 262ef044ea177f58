// The Prediction module; its types arrive with the work that builds it.
