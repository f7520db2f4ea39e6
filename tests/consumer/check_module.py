"""Imports the example module xtorch_examples built against the installed package and checks one call shares memory."""
import torch

import xtorch_examples

t = torch.ones(3)
xtorch_examples.scale_(t, 2)
assert t.tolist() == [2, 2, 2], t
print("xtorch_examples built alone:", xtorch_examples.describe(t))
