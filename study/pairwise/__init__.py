"""Two-image studies: pairwise preference ("pairwise") and real-or-generated 2AFC ("2afc-real").

For now the pure core, importing NumPy, SciPy, pandas and the standard library only
(no Django, no other study app):

- ``stats``: binomial tests per pair with Holm's correction, the Thurstone Case V
  scale in JOD with bootstrap CIs over raters, Bradley-Terry scores, the 2AFC fool
  rate with Clopper-Pearson intervals.
- ``active``: ASAP-approx active sampling (Mikhailiuk et al., ICPR 2020): an EP
  posterior over the methods' scores and the pair of largest expected information gain.
- ``simulate``: Thurstone observers with planted scores, for a full design or driven
  by the active sampler.

The Django app (models, the rater's page, exports, commands) will be built on these.
"""
