"""Planners' coverage: who is within reach of an open station, where and when, and where
new stations would reach the most workers.

Flask-free. Figures come from the live station index (:mod:`stationmap.finder`) and a
population surface of H3 cells (:mod:`.surface`, modelled, with loaded county figures
from the store, :mod:`.current`):

- :mod:`.reach`: each cell's nearest qualifying station (the table everything uses);
- :mod:`.figures`: coverage of areas at a moment; :mod:`.day`: across 24 hours;
- :mod:`.gaps`: the uncovered cells, one by one or as hexagons;
- :mod:`.proposals` with :mod:`.siting`: new sites that cover the most people;
- :mod:`.scenario`: what if stations were added or removed (nothing written);
- :mod:`.tables`: the answers as CSV and xlsx; :mod:`.population_load`: real figures.
"""
