"""Text intelligence learned from a committee's own records (issue #16): category and unit suggestions,
similar items (查重 / 并案). Pure Python over scikit-learn, rjieba and usearch; no model is downloaded.
See docs/text.md."""
