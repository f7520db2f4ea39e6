// Bindings for test_container_caster.py: xtensor containers copied in, moved out, borrowed from their owner.
#include "casters_module.hpp"

#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xfixed)

namespace casters_test
{
    namespace
    {
        using xtorch_test::counted_xarray;

        /// A member returned by reference: copied by default, borrowed under reference_internal.
        struct box
        {
            xt::xarray<double> data = xt::arange<double>(4.);
        };

        /// A member whose buffer the counting allocator frees: returned under reference_internal, the tensor
        /// and everything made from it must keep the Owner, and so the buffer, alive.
        struct owner
        {
            counted_xarray data;
        };

        xt::xarray<double>& global_container()
        {
            static xt::xarray<double> values = xt::arange<double>(3.);
            return values;
        }
    }

    void bind_container_caster(py::module_& m)
    {
        m.def("copy_in_2d", [](xt::xtensor<double, 2> a) { return a; });
        m.def("copy_in_address",
              [](const xt::xarray<float>& a) { return reinterpret_cast<std::uintptr_t>(a.data()); });
        m.def("make_counted",
              [](std::size_t n)
              {
                  counted_xarray a = xt::arange<double>(static_cast<double>(n));
                  return a;
              });
        m.def("make_xtensor", [] { return xt::xtensor<float, 2>{{1, 2, 3}, {4, 5, 6}}; });

        py::class_<box>(m, "Box")
            .def(py::init<>())
            .def("copied", [](box& b) -> const xt::xarray<double>& { return b.data; })
            .def(
                "borrowed", [](box& b) -> xt::xarray<double>& { return b.data; },
                policy::reference_internal)
            .def("first", [](const box& b) { return b.data(0); })
            // Under return_value_policy::reference nothing keeps the Box alive: the sanitizer canary's bug.
            .def(
                "borrowed_unsafe", [](box& b) -> xt::xarray<double>& { return b.data; },
                policy::reference);

        py::class_<owner>(m, "Owner")
            .def(factory([](std::size_t n)
                          { return owner{counted_xarray(xt::arange<double>(static_cast<double>(n)))}; }))
            .def(
                "borrowed", [](owner& o) -> counted_xarray& { return o.data; },
                policy::reference_internal)
            .def("address", [](const owner& o) { return reinterpret_cast<std::uintptr_t>(o.data.data()); });

        // Copies take what numpy.asarray takes: numbers, numpy scalars, nested lists, unaligned arrays.
        // reference_internal from a function without self: nothing to keep the memory alive.
        m.def("global_borrowed_internal", []() -> xt::xarray<double>& { return global_container(); },
              policy::reference_internal);

        m.def("copy_in_3d", [](xt::xtensor<double, 3> a) { return a; });
        m.def("copy_sum", [](const xt::xarray<double>& a) { return xt::sum(a)(); });
        m.def("copy_sum_float32",
              [](const xt::xarray<float>& a) { return static_cast<double>(xt::sum(a)()); });
        m.def("overloaded", [](const xt::xarray<double>&) { return "array"; });
        m.def("overloaded", [](const std::string&) { return "string"; });

        // xt::xtensor_fixed in and out, and column-major containers in: xtensor-python's example3 functions.
        m.def("fixed_transpose_plus_2",
              [](const xt::xtensor_fixed<double, xt::xshape<2, 3>>& a)
              {
                  xt::xtensor_fixed<double, xt::xshape<3, 2>> r = xt::transpose(a) + 2.0;
                  return r;
              });
        m.def("fixed_3d_sum", [](xt::xtensor_fixed<double, xt::xshape<2, 3, 4>> a) { return xt::sum(a)(); });
        m.def("column_major_transpose_plus_2",
              [](const xt::xarray<double, xt::layout_type::column_major>& a)
              {
                  xt::xarray<double> r = xt::transpose(a) + 2.0;
                  return r;
              });
        m.def("column_major_flat", [](const xt::xtensor<double, 2, xt::layout_type::column_major>& a)
              { return std::vector<double>(a.storage().begin(), a.storage().end()); });
    }
}
