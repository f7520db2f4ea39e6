"""A deliberate use-after-free through the casters: under AddressSanitizer it must be reported,
otherwise a clean run of the Python lifetime tests would prove nothing. Not a pytest module."""
import gc

import _xtorch_test as m

box = m.Box()
tensor = box.borrowed_unsafe()  # return_value_policy::reference: borrowed, the Box is not kept alive
del box
gc.collect()
print(m.total64(tensor))  # reads the freed xt::xarray in C++
