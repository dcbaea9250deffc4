"""srmodels: the SRGAN paper's networks, MATLAB-exact resizing and metrics,
training and a batched inference engine. Pure PyTorch + NumPy; never imports Django.
"""

from __future__ import annotations

__version__ = "0.1.0"
