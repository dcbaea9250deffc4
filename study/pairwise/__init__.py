"""Two-image studies: pairwise preference ("pairwise") and real-or-generated 2AFC ("2afc-real").

A study kind of its own over the shared catalog, protocol (studies, stimuli, raters)
and the rating app's rater steps (consent, start, breaks):

- pure: ``stats`` (binomial tests per pair with Holm's correction, the Thurstone Case V
  scale in JOD with bootstrap CIs over raters, Bradley-Terry, the 2AFC fool rate with
  Clopper-Pearson intervals), ``active`` (ASAP-approx active sampling), ``simulate``
  (Thurstone observers), ``plans`` (the full design dealt to the raters);
- ``models`` (Trial, Choice), ``services`` (trials, the active draw, choices),
  ``selectors``; the rater's page (``views``, /c/<token>/);
- ``results``, ``tables``, ``figures``, ``exports`` (the export), ``imports``
  (``import_ratings`` of choice CSVs), ``simulation`` (``simulate_raters``), ``dashboard``;
- ``kinds`` registers "pairwise" and "2afc-real" with ``study.protocol.kinds`` and
  ``study.analysis.kinds`` when Django loads the app.
"""
