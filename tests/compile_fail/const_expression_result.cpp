// A binding that returns an adaptor of const elements: torch has no read-only tensors, so Python could write it.
// expect: returning a view of const elements would give Python a writable tensor over read-only memory
#include <vector>

#include <xtensor-torch/pybind11.hpp>

PYBIND11_MODULE(const_expression_result, m)
{
    static const std::vector<double> values = {1, 2, 3};
    m.def("values", [] { return xt::adapt(values, {std::size_t(3)}); });
}
