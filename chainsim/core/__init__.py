"""The Mesa-free core of chainsim: the world of the chain and the rules it follows.

Parameters, calendar, regions and arrangements (the inputs); the population
of organisations, the network of ties with trust on its edges and the
regions' state (:mod:`chainsim.core.world`); the mechanisms M1-M15
(:mod:`chainsim.core.mechanisms`); the Inspectorate's measurement; levers;
and the order of a month (:mod:`chainsim.core.simulation`). Nothing here
imports Mesa, pandas or matplotlib: a sweep worker or a calibration can step
a world without them, and the Mesa model (:mod:`chainsim.model`) wraps it.
"""
