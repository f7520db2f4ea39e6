// Bindings for test_expression_caster.py: xtensor views and adaptors of C++-owned memory returned to Python.
#include "casters_module.hpp"

#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xadapt)
#include XTENSOR_TORCH_XTENSOR_HEADER(misc, xmanipulation)
#include XTENSOR_TORCH_XTENSOR_HEADER(views, xstrided_view)

namespace casters_test
{
    namespace
    {
        /// An object whose member is returned as views, with a count of the live ones: the views must keep it.
        struct native
        {
            static int& live()
            {
                static int count = 0;
                return count;
            }

            native()
            {
                ++live();
            }

            native(const native&) = delete;

            ~native()
            {
                --live();
            }

            xt::xarray<double> values = xt::reshape_view(xt::arange<double>(12.), {2, 6});
        };

        xt::xarray<double>& global_values()
        {
            static xt::xarray<double> values = xt::arange<double>(6.);
            return values;
        }
    }

    void bind_expression_caster(py::module_& m)
    {
        py::class_<native>(m, "Native")
            .def(py::init<>())
            .def_static("live", [] { return native::live(); })
            .def("get", [](const native& n, std::size_t i, std::size_t j) { return n.values(i, j); })
            // A row, every other column of the first three: (1, 2), over values(0, 0) and values(0, 2).
            .def(
                "strided_view",
                [](native& n) { return xt::strided_view(n.values, {xt::range(0, 1), xt::range(0, 3, 2)}); },
                policy::reference_internal)
            .def(
                "strided_view_keep_alive",
                [](native& n) { return xt::strided_view(n.values, {xt::range(0, 1), xt::range(0, 3, 2)}); },
                py::keep_alive<0, 1>())
            .def("reshaped", [](native& n) { return xt::reshape_view(n.values, {3, 4}); })
            .def("transposed", [](native& n) { return xt::transpose(n.values); })
            // values(1, 0..3) as a 2 x 2 adaptor over a raw pointer, dynamic and static rank.
            .def("array_adapter",
                 [](native& n)
                 {
                     return xt::adapt(n.values.data() + 6, 4, xt::no_ownership(), std::vector<std::size_t>{2, 2});
                 })
            .def("tensor_adapter",
                 [](native& n)
                 {
                     return xt::adapt(n.values.data() + 6, 4, xt::no_ownership(), std::array<std::size_t, 2>{2, 2});
                 })
            // A lazy view (of a function): no memory to share, so a copy.
            .def("lazy_view", [](native& n) { return xt::strided_view(n.values + 1.0, {xt::all(), 0}); });

        // An adaptor that owns its buffer: the tensor takes it.
        m.def("owning_adapter",
              []
              {
                  std::vector<double> v = {1, 2, 3, 4};
                  return xt::adapt(std::move(v), std::vector<std::size_t>{2, 2});
              });
        // Free functions over memory C++ keeps: copied by default, shared when the policy says C++ keeps it.
        m.def("global_view_copied", [] { return xt::strided_view(global_values(), {xt::range(0, 3)}); });
        m.def(
            "global_view_referenced", [] { return xt::strided_view(global_values(), {xt::range(0, 3)}); },
            policy::reference);
        m.def("global_value", [](std::size_t i) { return global_values()(i); });
        // A view of a view of the caller's tensor (holding it: a view of the by-value parameter itself would
        // dangle once the call returns, in C++ as much as here): the tensor's own storage.
        m.def("first_two",
              [](xtorch::xarray_view<double> v) { return xt::strided_view(std::move(v), {xt::range(0, 2)}); });
    }
}
