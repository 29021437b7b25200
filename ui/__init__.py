"""The dashboard's support layer: figures, app state, controls, cached computations.

Pages in ``app_pages/`` only read widgets (``ui.controls``), call cached ``lrcore`` work
(``ui.compute``) and draw (``ui.figures``); ``ui.state`` alone owns session state and
the links' query parameters.
"""
