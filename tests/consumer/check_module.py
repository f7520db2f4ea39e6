"""Imports the xtensor_torch module built against the installed package and checks one call shares memory."""
import torch

import xtensor_torch

t = torch.ones(3)
xtensor_torch.scale_(t, 2)
assert t.tolist() == [2, 2, 2], t
print("xtensor_torch built alone:", xtensor_torch.describe(t))
